import Hummingbird

/// Headers of package files served from storage (tarballs, wheels, jars, poms, checksums). Their bytes are users'
/// or an upstream's, so a browser must never render them as a page of Depot's origin, whatever they contain (an
/// XHTML `.pom` with a script): a type no browser renders, no sniffing, and a sandbox should one try.
public enum StoredFileHeaders {
    /// A binary type only: `application/octet-stream`, or a format's archive type (`application/java-archive`).
    public static func fields(contentType: String = "application/octet-stream") -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "sandbox"
        return headers
    }
}

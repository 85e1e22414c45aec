import DepotCore
import Foundation
import Testing

@testable import DepotPyPI

@Suite("CoreMetadata")
struct CoreMetadataTests {
    static let requestsMetadata = """
        Metadata-Version: 2.1
        Name: requests
        Version: 2.32.3
        Summary: Python HTTP for Humans.
        Home-page: https://requests.readthedocs.io
        Author: Kenneth Reitz
        Author-email: me@kennethreitz.org
        License: Apache-2.0
                
                Copyright 2019 Kenneth Reitz
        Project-URL: Documentation, https://requests.readthedocs.io
        Project-URL: Source, https://github.com/psf/requests
        Classifier: Development Status :: 5 - Production/Stable
        Classifier: Programming Language :: Python :: 3
        Requires-Python: >=3.8
        Description-Content-Type: text/markdown
        License-File: LICENSE
        Requires-Dist: charset-normalizer<4,>=2
        Requires-Dist: idna<4,>=2.5
        Requires-Dist: urllib3<3,>=1.21.1
        Requires-Dist: certifi>=2017.4.17
        Provides-Extra: socks
        Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == "socks"
        Provides-Extra: use-chardet-on-py3
        Requires-Dist: chardet<6,>=3.0.2; extra == "use-chardet-on-py3"

        # Requests

        **Requests** is a simple, yet elegant, HTTP library.

            >>> import requests
            >>> r = requests.get('https://httpbin.org/basic-auth/user/pass', auth=('user', 'pass'))

        """

    @Test("a realistic METADATA file")
    func realistic() throws {
        let m = try CoreMetadata(Data(Self.requestsMetadata.utf8))
        #expect(m.metadataVersion == "2.1")
        #expect(m.name == "requests")
        #expect(m.version == "2.32.3")
        #expect(m.summary == "Python HTTP for Humans.")
        #expect(m.requiresPython == ">=3.8")
        #expect(m.descriptionContentType == "text/markdown")
        #expect(m.requiresDist == [
            "charset-normalizer<4,>=2", "idna<4,>=2.5", "urllib3<3,>=1.21.1", "certifi>=2017.4.17",
            "PySocks!=1.5.7,>=1.5.6; extra == \"socks\"", "chardet<6,>=3.0.2; extra == \"use-chardet-on-py3\"",
        ])
        #expect(m.providesExtra == ["socks", "use-chardet-on-py3"])
        #expect(m.classifiers.count == 2)
        #expect(m.values("project-url") == [
            "Documentation, https://requests.readthedocs.io", "Source, https://github.com/psf/requests",
        ])
        #expect(m["license"] == "Apache-2.0\n\nCopyright 2019 Kenneth Reitz")
        let description = try #require(m.description)
        #expect(description.hasPrefix("# Requests\n\n**Requests** is"))
        #expect(description.contains("\n    >>> import requests\n"))
        #expect(!description.hasSuffix("\n"))
        #expect(m.fields.first == CoreMetadata.Field(name: "Metadata-Version", value: "2.1"))
        #expect(m.fields.count == 23)
    }

    @Test("the Description header form written by old setuptools")
    func descriptionHeader() throws {
        let text = """
            Metadata-Version: 1.1
            Name: six
            Version: 1.16.0
            Summary: Python 2 and 3 compatibility utilities
            Description: .. image:: https://img.shields.io/pypi/v/six.svg
                       :target: https://pypi.org/project/six/
                    
                    Six is a Python 2 and 3 compatibility library.
                   |  indented with a bar
            Platform: UNKNOWN
            Classifier: Programming Language :: Python :: 2

            """
        let m = try CoreMetadata(text)
        #expect(m.body == nil)
        #expect(m.description == """
            .. image:: https://img.shields.io/pypi/v/six.svg
               :target: https://pypi.org/project/six/

            Six is a Python 2 and 3 compatibility library.
              indented with a bar
            """)
        #expect(m["Platform"] == "UNKNOWN")
        #expect(m.requiresPython == nil)
        #expect(m.requiresDist.isEmpty)
    }

    @Test("CRLF line endings and a byte order mark")
    func crlf() throws {
        let text = "\u{FEFF}Metadata-Version: 2.3\r\nName: pkg\r\nVersion: 1.0\r\nRequires-Python:  >=3.9 \r\n\r\nBody line\r\n"
        let m = try CoreMetadata(Data(text.utf8))
        #expect(m.name == "pkg")
        #expect(m.requiresPython == ">=3.9")
        #expect(m.description == "Body line")
    }

    @Test("a body takes precedence over the Description header")
    func bodyWins() throws {
        let m = try CoreMetadata("Metadata-Version: 2.1\nName: a\nVersion: 1\nDescription: header\n\nbody\n")
        #expect(m.description == "body")
        #expect(m["Description"] == "header")
    }

    @Test("missing required fields are refused", arguments: [
        "Name: a\nVersion: 1\n", "Metadata-Version: 2.1\nVersion: 1\n", "Metadata-Version: 2.1\nName: a\n", "",
        "  continuation first\nName: a\n",
    ])
    func missing(text: String) {
        #expect(throws: DepotError.self) { try CoreMetadata(text) }
    }

    @Test("oversized metadata is refused with a clear message")
    func tooLarge() {
        let big = Data(count: CoreMetadata.maxSize + 1)
        do {
            _ = try CoreMetadata(big)
            Issue.record("accepted oversized metadata")
        } catch let error as DepotError {
            #expect(error.kind == .badRequest)
            #expect(error.code == "MetadataTooLarge")
            #expect(error.message.contains("more than the \(CoreMetadata.maxSize) allowed"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

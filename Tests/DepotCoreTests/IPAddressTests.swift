import DepotCore
import Foundation
import Testing

@Suite("IPAddress")
struct IPAddressTests {
    @Test(
        "loopback, private, link-local, metadata, CGNAT, unspecified, multicast and reserved addresses are not public",
        arguments: [
            "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "0.0.0.0",
            "100.64.0.1", "100.100.100.200", "192.0.0.8", "224.0.0.1", "255.255.255.255", "::", "::1", "fc00::1", "fd12:3456::1",
            "fe80::1", "fe80::1%eth0", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2001:0:4136:e378::1", "::127.0.0.1", "[::1]",
        ])
    func nonPublic(text: String) throws {
        let address = try #require(IPAddress(text), "\(text) should parse")
        #expect(!address.isPublic, "\(text)")
    }

    @Test("ordinary internet addresses are public; so are documentation and benchmarking ranges (fake-IP egress proxies)", arguments: [
        "8.8.8.8", "1.1.1.1", "151.101.0.223", "104.16.0.1", "172.32.0.1", "2606:4700::1111", "2a04:4e42::223", "::ffff:8.8.8.8",
        "203.0.113.80", "198.18.0.1", "192.0.2.5", "2001:db8::1",
    ])
    func isPublic(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublic, "\(text)")
    }

    @Test("names and malformed text are not addresses", arguments: [
        "localhost", "registry.npmjs.org", "2130706433", "127.1", "0x7f000001", "1.2.3.4.5", "", "::g", "1.2.3.4/8",
    ])
    func notAnAddress(text: String) {
        #expect(IPAddress(text) == nil, "\(text)")
    }

    @Test("an address prints in its canonical form")
    func description() {
        #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
        #expect(IPAddress("2001:0db8:0000::0001")?.description == "2001:db8::1")
    }

    @Test("CIDR blocks contain their addresses, IPv4-mapped IPv6 included; a bare address is its own block")
    func ranges() throws {
        let lan = try #require(IPAddressRange("10.0.0.0/8"))
        #expect(lan.contains(IPAddress("10.200.3.4")!))
        #expect(lan.contains(IPAddress("::ffff:10.1.1.1")!))
        #expect(!lan.contains(IPAddress("11.0.0.1")!))
        let odd = try #require(IPAddressRange("172.16.0.0/12"))
        #expect(odd.contains(IPAddress("172.31.255.255")!))
        #expect(!odd.contains(IPAddress("172.32.0.0")!))
        let proxy = try #require(IPAddressRange(" 192.0.2.10 "))
        #expect(proxy.prefixLength == 32)
        #expect(proxy.contains(IPAddress("192.0.2.10")!))
        #expect(!proxy.contains(IPAddress("192.0.2.11")!))
        let ula = try #require(IPAddressRange("fd00::/8"))
        #expect(ula.contains(IPAddress("fd12::1")!))
        #expect(!ula.contains(IPAddress("10.0.0.1")!))
        #expect(IPAddressRange("0.0.0.0/0")?.contains(IPAddress("8.8.8.8")!) == true)
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "/8", "fd00::/129", "example.com/8", "10.0.0.0/8/8"] {
            #expect(IPAddressRange(bad) == nil, "\(bad)")
        }
    }
}

@Suite("UpstreamHosts")
struct UpstreamHostsTests {
    @Test("a URL is permitted when its host is listed (any case, any port) or under a *. pattern")
    func permits() {
        let hosts = UpstreamHosts(["registry.npmjs.org", "*.cdn.example", "Files.PythonHosted.org."])
        #expect(hosts.permits(URL(string: "https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz")!))
        #expect(hosts.permits(URL(string: "http://REGISTRY.npmjs.org:8443/x")!))
        #expect(hosts.permits(URL(string: "https://files.pythonhosted.org/packages/a.whl")!))
        #expect(hosts.permits(URL(string: "https://eu.cdn.example/a")!))
        #expect(!hosts.permits(URL(string: "https://cdn.example/a")!))
        #expect(!hosts.permits(URL(string: "https://evilcdn.example/a")!))
        #expect(!hosts.permits(URL(string: "https://registry.npmjs.org.evil.example/a")!))
        #expect(!hosts.permits(URL(string: "http://127.0.0.1/a")!))
        // Credentials in a URL are a classic way to make one parser see another host than the next.
        #expect(!hosts.permits(URL(string: "https://registry.npmjs.org@127.0.0.1/a")!))
        #expect(!hosts.permits(URL(string: "https://user:pw@registry.npmjs.org/a")!))
        #expect(!hosts.permits(URL(string: "file:///etc/passwd")!))
        #expect(!hosts.permits(URL(string: "ftp://registry.npmjs.org/a")!))
    }

    @Test("an external connection covers its URL's host and its extra hosts")
    func connectionHosts() {
        let pypi = ExternalConnection(
            name: "public:pypi", baseURL: URL(string: "https://pypi.org/simple/")!, extraHosts: ["files.pythonhosted.org"])
        #expect(pypi.allowedHosts.permits(URL(string: "https://pypi.org/simple/requests/")!))
        #expect(pypi.allowedHosts.permits(URL(string: "https://files.pythonhosted.org/packages/x.whl")!))
        #expect(!pypi.allowedHosts.permits(URL(string: "https://registry.npmjs.org/x")!))
        let local = ExternalConnection(name: "public:npmjs", baseURL: URL(string: "http://127.0.0.1:4873/")!)
        #expect(local.allowedHosts.permits(URL(string: "http://127.0.0.1:4873/a/-/a-1.0.0.tgz")!))
    }
}

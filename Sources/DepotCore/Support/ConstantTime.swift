/// Comparison of secrets (digests, signatures, CSRF tokens) that takes as long whatever the first difference.
public enum ConstantTime {
    public static func equals(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

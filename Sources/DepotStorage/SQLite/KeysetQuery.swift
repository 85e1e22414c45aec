import DepotCore
import GRDB

/// The WHERE clause of one listing page: the listing's own conditions and, from the cursor, the keyset condition
/// `(sort columns) > (last row's values)`. With an index on the sort columns the page is a range read of
/// `limit + 1` entries wherever it starts: no OFFSET, so page 2,000 of 100k rows costs what page 1 does, and a row
/// added or removed between pages neither repeats nor hides another.
struct KeysetQuery {
    let listing: String
    let page: PageRequest
    private var conditions: [String] = []
    private(set) var arguments: StatementArguments = []

    init(listing: String, page: PageRequest) {
        self.listing = listing
        self.page = page
    }

    mutating func require(_ condition: String, _ values: StatementArguments = []) {
        conditions.append(condition)
        arguments += values
    }

    /// `column IN (names)` when `names` is given (none: no rows).
    mutating func require(names: [String]?, column: String) {
        guard let names else { return }
        let (condition, values) = Self.membership(column, in: names)
        require(condition, values)
    }

    /// `column IN (?, ...)` with its arguments; false for an empty list.
    static func membership(_ column: String, in names: [String]) -> (String, StatementArguments) {
        guard !names.isEmpty else { return ("0", []) }
        return ("\(column) IN (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))", StatementArguments(names))
    }

    /// Rows after the cursor in the order of `columns` (ascending, or descending with `descending`). `decode` turns
    /// the cursor's keys into the columns' values (numbers for times); a key it cannot read is an invalid token.
    mutating func after(
        _ columns: [String], descending: Bool = false,
        decode: ([String]) throws -> [any DatabaseValueConvertible] = { $0 }
    ) throws {
        guard let cursor = page.after else { return }
        let values = try decode(try cursor.keys(of: listing, count: columns.count))
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        require(
            "(\(columns.joined(separator: ", "))) \(descending ? "<" : ">") (\(placeholders))",
            StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? }))
    }

    var condition: String { conditions.isEmpty ? "1" : conditions.joined(separator: " AND ") }

    var fetchLimit: Int { page.fetchLimit }

    /// `select` restricted by the conditions, in `order`, one row more than the page: the page, and its cursor made
    /// by `cursor` from the last row kept (the stored values themselves, so a time compares exactly).
    func page<T: Sendable>(
        _ db: Database, select: String, order: String, map: (Row) throws -> T, cursor: (Row) -> [String]
    ) throws -> Page<T> {
        let rows = try Row.fetchAll(
            db, sql: "\(select) WHERE \(condition) ORDER BY \(order) LIMIT \(fetchLimit)", arguments: arguments)
        return try page(of: rows, map: map, cursor: cursor)
    }

    /// The page made of rows fetched with `fetchLimit`.
    func page<T: Sendable>(of rows: [Row], map: (Row) throws -> T, cursor: (Row) -> [String]) throws -> Page<T> {
        let kept = rows.prefix(page.limit)
        let next = rows.count > page.limit ? kept.last.map { PageCursor(listing: listing, keys: cursor($0)) } : nil
        return Page(items: try kept.map(map), next: next)
    }
}

import GRDB

/// A trigram index for package search (npm and cargo search, `?text=` listings): substring matches on a package's
/// scope and name or any of its versions' summaries without reading every version row. `package_terms` holds each
/// package's name and its distinct summaries (a package republished a thousand times with one description is one
/// row); triggers keep it and the FTS5 index in step with every write, whichever path makes it, so no writer has to
/// remember. The trigram tokenizer answers `LIKE '%…%'` (ASCII case-insensitive, as SQLite's LIKE) from the index.
enum M011CreateSearchIndex: SchemaMigration {
    static let identifier = "011-create-search-index"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE package_terms (
                id INTEGER PRIMARY KEY,
                package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                body TEXT NOT NULL,
                UNIQUE (package_id, kind, body)
            );
            INSERT INTO package_terms (package_id, kind, body)
                SELECT id, 'name', namespace || char(10) || name FROM packages;
            INSERT OR IGNORE INTO package_terms (package_id, kind, body)
                SELECT package_id, 'summary', summary FROM package_versions WHERE summary IS NOT NULL AND summary <> '';
            CREATE VIRTUAL TABLE package_terms_index USING fts5(
                body, content = 'package_terms', content_rowid = 'id', tokenize = 'trigram');
            INSERT INTO package_terms_index (package_terms_index) VALUES ('rebuild');

            CREATE TRIGGER package_terms_indexed AFTER INSERT ON package_terms BEGIN
                INSERT INTO package_terms_index (rowid, body) VALUES (NEW.id, NEW.body);
            END;
            CREATE TRIGGER package_terms_unindexed AFTER DELETE ON package_terms BEGIN
                INSERT INTO package_terms_index (package_terms_index, rowid, body) VALUES ('delete', OLD.id, OLD.body);
            END;
            CREATE TRIGGER packages_named AFTER INSERT ON packages BEGIN
                INSERT INTO package_terms (package_id, kind, body) VALUES (NEW.id, 'name', NEW.namespace || char(10) || NEW.name);
            END;
            CREATE TRIGGER package_versions_summarized AFTER INSERT ON package_versions
            WHEN NEW.summary IS NOT NULL AND NEW.summary <> '' BEGIN
                INSERT OR IGNORE INTO package_terms (package_id, kind, body) VALUES (NEW.package_id, 'summary', NEW.summary);
            END;
            CREATE TRIGGER package_versions_unsummarized AFTER DELETE ON package_versions
            WHEN OLD.summary IS NOT NULL AND OLD.summary <> '' BEGIN
                DELETE FROM package_terms WHERE package_id = OLD.package_id AND kind = 'summary' AND body = OLD.summary
                  AND NOT EXISTS (SELECT 1 FROM package_versions v WHERE v.package_id = OLD.package_id AND v.summary = OLD.summary);
            END;
            CREATE TRIGGER package_versions_resummarized AFTER UPDATE OF summary ON package_versions BEGIN
                DELETE FROM package_terms WHERE package_id = OLD.package_id AND kind = 'summary' AND body = OLD.summary
                  AND NOT EXISTS (SELECT 1 FROM package_versions v WHERE v.package_id = OLD.package_id AND v.summary = OLD.summary);
                INSERT OR IGNORE INTO package_terms (package_id, kind, body)
                  SELECT NEW.package_id, 'summary', NEW.summary WHERE NEW.summary IS NOT NULL AND NEW.summary <> '';
            END;
            """)
    }
}

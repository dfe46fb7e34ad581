extension PostgresSchema {
    /// Version 3: the rollups, filled from the samples already stored. `rollup` counts per site ×
    /// local day × terminal × survey × button × local hour × misuse reason ('' = accepted);
    /// `rollup_day` the same without the hour (summaries and rankings read a day's row instead of
    /// its hours). Text columns sort bytewise ("C"), as the summaries do.
    static let rollups = PostgresMigration(version: 3, name: "rollups per terminal, local hour and day, button and misuse reason", statements: [
        """
        CREATE TABLE rollup (
            site text COLLATE "C" NOT NULL,
            local_day date NOT NULL,
            terminal text COLLATE "C" NOT NULL,
            survey text COLLATE "C" NOT NULL,
            scale integer NOT NULL,
            button integer NOT NULL,
            hour smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
            misuse text COLLATE "C" NOT NULL,
            button_name text COLLATE "C" NOT NULL,
            n bigint NOT NULL,
            PRIMARY KEY (site, local_day, terminal, survey, scale, button, hour, misuse)
        )
        """,
        """
        CREATE TABLE rollup_day (
            site text COLLATE "C" NOT NULL,
            local_day date NOT NULL,
            terminal text COLLATE "C" NOT NULL,
            survey text COLLATE "C" NOT NULL,
            scale integer NOT NULL,
            button integer NOT NULL,
            misuse text COLLATE "C" NOT NULL,
            button_name text COLLATE "C" NOT NULL,
            n bigint NOT NULL,
            PRIMARY KEY (site, local_day, terminal, survey, scale, button, misuse)
        )
        """,
        // Every site's day or range (the fleet's ranking); the primary keys serve one site's.
        "CREATE INDEX rollup_by_day ON rollup (local_day, site)",
        "CREATE INDEX rollup_day_by_day ON rollup_day (local_day, site)",
        """
        INSERT INTO rollup (site, local_day, terminal, survey, scale, button, hour, misuse, button_name, n)
        \(recountSQL(hourly: true))
        """,
        """
        INSERT INTO rollup_day (site, local_day, terminal, survey, scale, button, misuse, button_name, n)
        \(recountSQL(hourly: false))
        """,
    ])

    /// The rollups recounted from the samples, as rows of `rollup` (`hourly`) or `rollup_day`.
    static func recountSQL(hourly: Bool) -> String {
        """
        SELECT site COLLATE "C" AS site, local_day, terminal COLLATE "C" AS terminal, survey COLLATE "C" AS survey,
               scale, button, \(hourly ? "(" + RollupKey.localHourSQL + ")::int2 AS hour," : "")
               coalesce(misuse, '') COLLATE "C" AS misuse, min(button_name COLLATE "C") AS button_name, count(*)::int8 AS n
        FROM sample GROUP BY \(hourly ? "1, 2, 3, 4, 5, 6, 7, 8" : "1, 2, 3, 4, 5, 6, 7")
        """
    }
}

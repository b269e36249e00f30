"""Database sources: attendance systems and SISes a district can query, pulled into the same raw
contract as delivered files (raw Parquet with `_load_id` and `_source_file`, an audit row, each
pull archived with its sha256), incrementally (docs/database_sources.md).

  - `schemas`: the tables each kind of database has (PowerSchool, OneRoster), their keys, the
    modified-timestamp cursor, and the queries that give the shipped layouts' columns;
  - `extract`: dlt's `sql_table` reading the changed rows into Parquet (dlt over Sling: see docs);
  - `mirror`: the pulled table kept whole in Parquet, merged with each pull; deletes found by a
    periodic full key comparison; the high-water mark stored after success only;
  - `feeds`: the mirrors mapped through the shipped layouts into the canonical raw tables;
  - `pull`: one source's pull end to end, and its command line.
"""

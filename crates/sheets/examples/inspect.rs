//! Reads an uploaded workbook and prints what `read` makes of it.
//!
//! `cargo run --example inspect -- FILE [HEADER ...]`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, headers)) = args.split_first() else {
        eprintln!("usage: inspect FILE [HEADER ...]");
        return ExitCode::FAILURE;
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    match sheets::read(&bytes, &headers) {
        Ok(table) => {
            println!(
                "sheet {}, header row {}, headers {:?} in columns {:?}, ignored {:?}",
                table.sheet,
                table.header_row,
                table.headers,
                table
                    .columns
                    .iter()
                    .map(|c| sheets::column_letter(*c))
                    .collect::<Vec<_>>(),
                table.ignored
            );
            for row in &table.rows {
                println!("row {}: {:?}", row.number, row.cells);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{error}");
            ExitCode::FAILURE
        }
    }
}

//! Edge lists read by byte-range parts (`read_edge_list_part`): for any number of parts the
//! parts, concatenated, are the whole file's edges in order, whatever the line endings,
//! comments, blank lines, final newline or line lengths; errors name the line's byte offset.

use std::path::Path;

use kernel_runtime::Backend;
use kernelc_apps::prone::{
    parse_edge_list, read_edge_list, read_edge_list_part, EdgeListError, LineError,
};
use kernelc_apps::svd::{random_edges, random_graph, GraphSpec, Ops};

/// Every part of `path` for `parts` parts, concatenated.
fn all_parts(path: &Path, parts: usize) -> Vec<(usize, usize)> {
    (0..parts)
        .flat_map(|part| read_edge_list_part(path, part, parts).unwrap())
        .collect()
}

/// Checks that `text` split into 1 to 5 parts (and into more parts than it has bytes) reads
/// as the whole.
fn check_parts_agree(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.edges");
    std::fs::write(&path, text).unwrap();
    let whole = parse_edge_list(text).unwrap();
    assert_eq!(read_edge_list(&path).unwrap(), whole);
    for parts in (1..=5).chain([text.len() + 3]) {
        assert_eq!(all_parts(&path, parts), whole, "{parts} parts of {text:?}");
    }
}

#[test]
fn parts_agree_with_the_whole_file() {
    let long_comment = format!("# {}\n", "x".repeat(300));
    let texts = [
        "0 1\n1 2\n2 3\n".to_string(),
        "0 1\r\n1 2\r\n# a comment\r\n\r\n3 4 0.5\r\n".to_string(),
        "0 1\n1 2".to_string(),
        "10 20".to_string(),
        "\n\n\n0 1\n\n".to_string(),
        "5 6 # weight\n#only\n   \n\t7  8\t\n".to_string(),
        format!(
            "{long_comment}0 1\n{long_comment}2 3 {}\n4 5",
            "9".repeat(200)
        ),
        "123456 654321\r\n7 8\r".to_string(),
    ];
    for text in &texts {
        check_parts_agree(text);
    }
}

/// SplitMix64, so the random files are the same on every run.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random edge list mixing every kind of line and both line ends.
fn random_text(seed: u64) -> String {
    let mut state = seed;
    let mut text = String::from("0 1\n");
    for _ in 0..40 {
        let (a, b) = (splitmix(&mut state) % 1000, splitmix(&mut state) % 1000);
        let line = match splitmix(&mut state) % 6 {
            0 => String::new(),
            1 => "# comment".to_string(),
            2 => format!("{a} {b} 1.5"),
            3 => format!("  {a}\t{b}  # {}", "c".repeat((a % 90) as usize)),
            _ => format!("{a} {b}"),
        };
        let end = if splitmix(&mut state).is_multiple_of(2) {
            "\n"
        } else {
            "\r\n"
        };
        text.push_str(&line);
        text.push_str(end);
    }
    if seed.is_multiple_of(2) {
        text.truncate(text.trim_end().len());
    }
    text
}

#[test]
fn parts_of_random_files_agree_with_the_whole_file() {
    for seed in 0..12 {
        check_parts_agree(&random_text(seed));
    }
}

#[test]
fn a_part_may_hold_no_edges() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.edges");
    // Part 0 of 2 is all comment; part 1 holds the only edge.
    std::fs::write(&path, "# a long comment line, longer than its half\n0 1\n").unwrap();
    assert_eq!(read_edge_list_part(&path, 0, 2).unwrap(), vec![]);
    assert_eq!(read_edge_list_part(&path, 1, 2).unwrap(), vec![(0, 1)]);
}

#[test]
fn errors_name_the_byte_offset_and_only_the_part_holding_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.edges");
    let text = "0 1\n1 2\n2 x\n3 4\n";
    std::fs::write(&path, text).unwrap();
    let error = read_edge_list_part(&path, 0, 1).unwrap_err();
    assert!(
        matches!(&error, EdgeListError::AtByte { offset: 8, source: LineError::Id(id), .. } if id == "x"),
        "{error}"
    );
    assert!(error.to_string().contains("byte 8"), "{error}");
    // With four parts of 4 bytes the bad line is part 2's alone.
    for part in [0, 1, 3] {
        assert!(read_edge_list_part(&path, part, 4).is_ok(), "part {part}");
    }
    assert!(read_edge_list_part(&path, 2, 4).is_err());
}

#[test]
fn each_line_error_kind_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.edges");
    let cases = [
        ("0 1\n7\n", "expected two node ids, got `7`"),
        ("0 1\n-1 2\n", "`-1` is not a node id"),
        ("0 1\n1 99999999999\n", "node id 99999999999 is larger"),
    ];
    for (text, message) in cases {
        std::fs::write(&path, text).unwrap();
        let error = read_edge_list_part(&path, 0, 1).unwrap_err();
        assert!(
            matches!(&error, EdgeListError::AtByte { offset: 4, source, .. }
                if source.to_string() == message || source.to_string().starts_with(message)),
            "{text:?}: {error}"
        );
    }
}

#[test]
fn bad_parts_and_missing_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.edges");
    std::fs::write(&path, "0 1\n").unwrap();
    for (part, parts) in [(0, 0), (3, 3), (4, 2)] {
        let error = read_edge_list_part(&path, part, parts).unwrap_err();
        assert!(
            matches!(error, EdgeListError::NoSuchPart { part: p, parts: n } if p == part && n == parts),
            "{error}"
        );
    }
    let missing = dir.path().join("missing.edges");
    assert!(matches!(
        read_edge_list_part(&missing, 0, 1),
        Err(EdgeListError::Read { .. })
    ));
}

#[test]
fn an_empty_file_has_empty_parts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.edges");
    std::fs::write(&path, "").unwrap();
    for parts in 1..=3 {
        assert_eq!(all_parts(&path, parts), vec![]);
    }
}

#[test]
fn a_random_graphs_edge_list_reads_back_by_parts() {
    // The scale-out benchmarks' inputs: `examples/edge_list.rs` writes `random_edges` this way,
    // and `examples/graph_npz.rs` writes `random_graph`, whose pattern is the same edges.
    let spec = GraphSpec {
        nodes: 50,
        edges: 200,
        seed: 3,
    };
    let edges = random_edges(spec);
    assert_eq!(edges.len(), 200);
    let text: String = edges.iter().map(|(a, b)| format!("{a} {b}\n")).collect();
    check_parts_agree(&text);

    let graph = random_graph(&Ops::new(Backend::Native).unwrap(), spec).unwrap();
    let mut pattern: Vec<(usize, usize)> = (0..graph.rows())
        .flat_map(|row| {
            let columns = &graph.indices()[graph.indptr()[row]..graph.indptr()[row + 1]];
            columns.iter().map(move |&column| (row, column))
        })
        .collect();
    let mut expected: Vec<(usize, usize)> =
        edges.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    pattern.sort_unstable();
    expected.sort_unstable();
    assert_eq!(pattern, expected);
}

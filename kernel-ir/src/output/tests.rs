use super::*;

fn spec(f: impl FnOnce(&mut Spec)) -> Spec {
    let mut spec = Spec::default();
    f(&mut spec);
    spec
}

fn one(arg: Arg, spec: Spec) -> String {
    let format = Format {
        stream: Stream::Stdout,
        newline: false,
        pieces: Cow::Owned(vec![Piece::Arg { index: 0, spec }]),
    };
    render(&format, &[arg])
}

#[test]
fn floats_print_as_rust_display_and_debug() {
    assert_eq!(one(Arg::F64(1.5), Spec::default()), "1.5");
    assert_eq!(one(Arg::F64(1.0), Spec::default()), "1");
    assert_eq!(one(Arg::F64(f64::NAN), Spec::default()), "NaN");
    assert_eq!(one(Arg::F64(f64::INFINITY), Spec::default()), "inf");
    let debug = spec(|s| s.kind = Kind::Debug);
    assert_eq!(one(Arg::F64(1.0), debug), "1.0");
    assert_eq!(one(Arg::F32(0.1), debug), format!("{:?}", 0.1f32));
}

#[test]
fn every_flag_combination_matches_format() {
    let x = -3.25f64;
    let n = 255i32;
    let cases: [(Spec, String, String); 8] = [
        (
            spec(|s| {
                s.width = 8;
                s.precision = Some(3);
                s.zero = true;
            }),
            format!("{x:08.3}"),
            format!("{n:08.3}"),
        ),
        (
            spec(|s| {
                s.width = 9;
                s.align = Some(Align::Center);
                s.fill = '*';
            }),
            format!("{x:*^9}"),
            format!("{n:*^9}"),
        ),
        (
            spec(|s| {
                s.width = 8;
                s.align = Some(Align::Left);
                s.plus = true;
            }),
            format!("{x:<+8}"),
            format!("{n:<+8}"),
        ),
        (
            spec(|s| {
                s.kind = Kind::LowerExp;
                s.precision = Some(2);
            }),
            format!("{x:.2e}"),
            format!("{n:.2e}"),
        ),
        (
            spec(|s| {
                s.kind = Kind::UpperExp;
                s.width = 12;
                s.align = Some(Align::Right);
            }),
            format!("{x:>12E}"),
            format!("{n:>12E}"),
        ),
        (
            spec(|s| {
                s.kind = Kind::Debug;
                s.width = 7;
            }),
            format!("{x:7?}"),
            format!("{n:7?}"),
        ),
        (
            spec(|s| {
                s.kind = Kind::Debug;
                s.plus = true;
                s.alternate = true;
            }),
            format!("{x:+#?}"),
            format!("{n:+#?}"),
        ),
        (
            spec(|s| {
                s.kind = Kind::Display;
                s.width = 1;
            }),
            format!("{x:1}"),
            format!("{n:1}"),
        ),
    ];
    for (spec, float, int) in cases {
        assert_eq!(one(Arg::F64(x), spec), float, "{spec}");
        assert_eq!(one(Arg::I32(n), spec), int, "{spec}");
    }
}

#[test]
fn integer_radixes_keep_the_type_width() {
    let hex = spec(|s| {
        s.kind = Kind::LowerHex;
        s.alternate = true;
        s.zero = true;
        s.width = 12;
    });
    assert_eq!(one(Arg::I32(-1), hex), format!("{:#012x}", -1i32));
    assert_eq!(one(Arg::I64(-1), hex), format!("{:#012x}", -1i64));
    let bin = spec(|s| s.kind = Kind::Binary);
    assert_eq!(one(Arg::U32(5), bin), "101");
    let oct = spec(|s| {
        s.kind = Kind::Octal;
        s.fill = '_';
        s.align = Some(Align::Left);
        s.width = 6;
    });
    assert_eq!(one(Arg::Usize(8), oct), "10____");
    assert_eq!(one(Arg::U64(255), spec(|s| s.kind = Kind::UpperHex)), "FF");
}

#[test]
fn bools_pad_left_like_strings() {
    assert_eq!(
        one(Arg::Bool(true), spec(|s| s.width = 6)),
        format!("{:6}", true)
    );
    assert_eq!(
        one(
            Arg::Bool(false),
            spec(|s| {
                s.width = 7;
                s.fill = '.';
                s.align = Some(Align::Right);
            })
        ),
        format!("{:.>7}", false)
    );
    assert_eq!(one(Arg::Bool(true), spec(|s| s.kind = Kind::Debug)), "true");
}

#[test]
fn templates_round_trip_the_spec() {
    let format = Format {
        stream: Stream::Stderr,
        newline: true,
        pieces: Cow::Owned(vec![
            Piece::Text("a {b} ".into()),
            Piece::Arg {
                index: 1,
                spec: spec(|s| {
                    s.fill = '*';
                    s.align = Some(Align::Center);
                    s.plus = true;
                    s.width = 8;
                    s.precision = Some(2);
                    s.kind = Kind::LowerExp;
                }),
            },
            Piece::Arg {
                index: 0,
                spec: Spec::default(),
            },
        ]),
    };
    assert_eq!(format.template(), "a {{b}} {1:*^+8.2e}{0}");
    assert_eq!(format.macro_name(), "eprintln");
    assert_eq!(
        render(&format, &[Arg::Bool(true), Arg::F64(1234.5)]),
        format!("a {{b}} {:*^+8.2e}true\n", 1234.5)
    );
}

#[test]
fn capture_collects_both_streams_and_restores_the_sink() {
    let format = |stream, newline| Format {
        stream,
        newline,
        pieces: Cow::Owned(vec![Piece::Text("x".into())]),
    };
    let ((), outer) = capture(|| {
        print(&format(Stream::Stdout, true), &[]);
        let ((), inner) = capture(|| print(&format(Stream::Stderr, false), &[]));
        assert_eq!(inner.stderr, "x");
        print(&format(Stream::Stderr, true), &[]);
    });
    assert_eq!(
        outer,
        CapturedOutput {
            stdout: "x\n".into(),
            stderr: "x\n".into()
        }
    );
}

#[test]
fn a_sink_handed_to_another_thread_captures_its_lines() {
    let format = Format {
        stream: Stream::Stdout,
        newline: true,
        pieces: Cow::Owned(vec![Piece::Arg {
            index: 0,
            spec: Spec::default(),
        }]),
    };
    let ((), output) = capture(|| {
        let sink = current_sink();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (sink, format) = (sink.clone(), &format);
                scope.spawn(move || with_sink(&sink, || print(format, &[Arg::I32(t)])));
            }
        });
    });
    let mut lines: Vec<&str> = output.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["0", "1", "2", "3"]);
}

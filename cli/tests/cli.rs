//! End-to-end tests of the `brink` binary: exit codes, error lines, the JSON
//! report's shape and determinism, TOML scenarios, CSV, and conservation.
//! Runs are short (2-5 simulated seconds) to keep the suite fast.

use serde_json::Value;
use std::process::{Command, Output};

const BRINK: &str = env!("CARGO_BIN_EXE_brink");

fn brink(args: &[&str]) -> Output {
    Command::new(BRINK).args(args).output().expect("the brink binary runs")
}

/// Runs `brink run` with `args` and parses its JSON, failing loudly otherwise.
fn run_json(args: &[&str]) -> Value {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    let out = brink(&all);
    assert!(out.status.success(), "brink {all:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("brink {all:?}: bad JSON: {e}"))
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().expect("an object").keys().map(String::as_str).collect()
}

fn total(v: &Value, key: &str) -> u64 {
    v["totals"][key].as_u64().unwrap_or_else(|| panic!("totals.{key} missing"))
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--rate", "-1"], "--rate -1: allowed range is 0 to 1000000 req/s"),
        (&["--rate", "NaN"], "--rate NaN: must be a finite number"),
        (&["--duration", "abc"], "--duration abc: expected a number"),
        (&["--workers", "0"], "--workers 0"),
        (&["--nodes", "-2"], "--nodes -2"),
        (&["--attempts", "1.5"], "--attempts 1.5"),
        (&["--backoff", "linear"], "--backoff linear"),
        (&["--lb", "least-loaded"], "--lb least-loaded"),
        (&["--spike-mult", "inf"], "--spike-mult inf"),
        (&["--timeout-s", "0"], "--timeout-s 0"),
        (&["--rate", "1000000", "--duration", "86400"], "--rate 1000000: this run needs up to"),
        (&["--attempts", "100", "--duration", "86400"], "--rate: this run needs up to"),
        (&["--queue", "1000000", "--nodes", "1024"], "--queue 1000000"),
        (&["--bogus", "1"], "unknown flag --bogus"),
        (&["--seed"], "--seed: missing value"),
        (&["--rate", "--duration", "5"], "--rate: missing value"),
        (&["--nodes", "4294967296"], "--nodes 4294967296: allowed range is 1 to 1024"),
        (&["--indent", "-1"], "--indent -1: allowed range is 0 to 64"),
        (&["-x"], "unknown flag -x"),
        (&["5"], "unexpected argument '5'"),
        (&["--format", "xml"], "--format xml"),
        (&["--windows", "0,ten"], "--windows 0,ten"),
        (
            &["--service-dist", "weird"],
            "--service-dist weird: expected one of exponential, constant, uniform, lognormal, bimodal",
        ),
        (&["--service-cv", "0.9", "--service-dist", "uniform"], "--service-cv 0.9: allowed range is 0 to 0.577"),
        (&["--service-cv", "-1"], "--service-cv -1: expected a number from 0 to 10"),
        (&["--set", "nodes.workers"], "--set nodes.workers: expected PATH=VALUE"),
        (&["--set"], "--set: missing value"),
        (
            &["--set", "nodes.wrokers=8"],
            "--set nodes.wrokers=8: nodes.wrokers: no such field; this section has nodes.count",
        ),
        (
            &["--set", "nodes.workers=many"],
            "--set nodes.workers=many: nodes.workers = \"many\": expected a whole number",
        ),
        (
            &["--set", "client.backoff=linear"],
            "--set client.backoff=linear: client.backoff = \"linear\": expected one of",
        ),
        (
            &["--set", "nodes.service_cv=0.9", "--set", "nodes.service_dist=uniform"],
            "--set nodes.service_cv=0.9: allowed range",
        ),
        (&["--set", "traffic.rate_per_s=1000000", "--duration", "86400"], "--set traffic.rate_per_s=1000000: this run"),
    ];
    for (args, want) in cases {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        let out = brink(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: status {:?}, stderr {err}", out.status);
        assert!(out.stdout.is_empty(), "{args:?}: printed a report on bad input");
        assert_eq!(err.lines().count(), 1, "{args:?}: want one line, got {err:?}");
        assert!(err.starts_with("brink: ") && err.contains(want), "{args:?}: want {want:?} in {err:?}");
    }
}

#[test]
fn command_level_mistakes_exit_2() {
    for args in [&[][..], &["sprint"][..], &["--bogus"][..], &["bench", "--fast"][..], &["bench", "--runs", "0"][..]] {
        let out = brink(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1, "{args:?}");
    }
    let help = brink(&["run", "--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--spike-mult"));
    for args in [&["--help"][..], &["bench", "--help"][..], &["help", "run"][..]] {
        let out = brink(args);
        assert!(out.status.success() && out.stderr.is_empty(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: brink"), "{args:?}");
    }
    let version = brink(&["--version"]);
    assert!(version.status.success());
    assert_eq!(String::from_utf8_lossy(&version.stdout), format!("brink {}\n", env!("CARGO_PKG_VERSION")));
}

/// The report less the three wall-clock figures, as bytes.
fn without_wall_clock(args: &[&str]) -> String {
    let mut v = run_json(args);
    let obj = v.as_object_mut().expect("an object");
    for k in ["wall_s", "logical_requests_per_wall_s", "events_per_wall_s"] {
        assert!(obj.remove(k).is_some(), "{k} missing");
    }
    v.to_string()
}

#[test]
fn same_seed_gives_identical_json() {
    for seed in ["7", "12345"] {
        let args = ["--duration", "3", "--rate", "13000", "--seed", seed, "--windows", "0,1,3"];
        let a = without_wall_clock(&args);
        let b = without_wall_clock(&args);
        assert!(a == b, "seed {seed}: two runs differ");
    }
    let other = without_wall_clock(&["--duration", "3", "--rate", "13000", "--seed", "8", "--windows", "0,1,3"]);
    assert_ne!(other, without_wall_clock(&["--duration", "3", "--rate", "13000", "--seed", "7", "--windows", "0,1,3"]));
}

/// Keys of `report()` in shared/reference/simpy_ref.py, in its order.
const REFERENCE_TOP: [&str; 10] = [
    "params",
    "versions",
    "totals",
    "latency_success",
    "queueing",
    "events_processed",
    "wall_s",
    "logical_requests_per_wall_s",
    "events_per_wall_s",
    "series",
];
const REFERENCE_TOTALS: [&str; 9] =
    ["offered", "attempts", "throughput", "goodput", "rejected", "timed_out", "failed", "wasted", "unresolved_at_end"];
const REFERENCE_SERIES: [&str; 8] =
    ["offered", "attempts", "throughput", "goodput", "rejected", "timed_out", "failed", "queued"];
const REFERENCE_QUEUEING: [&str; 6] = [
    "sim_mean_wait_ms",
    "sim_p_wait",
    "erlang_c_offered_load_per_node",
    "erlang_c_utilisation",
    "erlang_c_p_wait",
    "erlang_c_mean_wait_ms",
];

#[test]
fn keys_match_the_reference() {
    let v = run_json(&["--duration", "2", "--seed", "3"]);
    assert_eq!(keys(&v), REFERENCE_TOP, "seed 3");
    assert_eq!(keys(&v["totals"]), REFERENCE_TOTALS, "seed 3");
    assert_eq!(keys(&v["series"]), REFERENCE_SERIES, "seed 3");
    assert_eq!(keys(&v["queueing"]), REFERENCE_QUEUEING, "seed 3");
    for k in ["n", "p50_ms", "p99_ms", "mean_ms"] {
        assert!(v["latency_success"].get(k).is_some(), "seed 3: latency_success.{k} missing");
    }
    assert_eq!(v["series"]["offered"].as_array().map(Vec::len), Some(2), "seed 3");

    let w = run_json(&["--duration", "2", "--seed", "3", "--windows", "0,1,5"]);
    let mut top = REFERENCE_TOP.to_vec();
    top.push("window_means");
    assert_eq!(keys(&w), top, "seed 3 with windows");
    assert_eq!(keys(&w["window_means"]), ["0-1", "1-5"], "seed 3");
    assert_eq!(keys(&w["window_means"]["0-1"]), REFERENCE_SERIES, "seed 3");
    assert_eq!(w["params"]["windows"], "0,1,5", "seed 3");
}

#[test]
fn indent_changes_layout_not_content() {
    let compact = brink(&["run", "--duration", "2", "--seed", "4"]);
    let pretty = brink(&["run", "--duration", "2", "--seed", "4", "--indent", "2"]);
    let compact_text = String::from_utf8_lossy(&compact.stdout);
    let pretty_text = String::from_utf8_lossy(&pretty.stdout);
    assert_eq!(compact_text.lines().count(), 1, "seed 4");
    assert!(pretty_text.starts_with("{\n  \"params\": {\n    \"rate\": 10000.0,"), "seed 4: {}", &pretty_text[..60]);
    let strip = |t: &str| {
        let mut v: Value = serde_json::from_str(t).expect("JSON");
        let o = v.as_object_mut().expect("object");
        for k in ["wall_s", "logical_requests_per_wall_s", "events_per_wall_s", "params"] {
            o.remove(k);
        }
        v
    };
    assert_eq!(strip(&compact_text), strip(&pretty_text), "seed 4");
}

#[test]
fn toml_scenario_with_flag_override() {
    let path = std::env::temp_dir().join(format!("brink-cli-test-{}.toml", std::process::id()));
    let text =
        "seed = 9\n[traffic]\nrate_per_s = 5000\nduration_s = 2\n[nodes]\ncount = 2\n[client]\nbackoff = \"fixed\"\n";
    std::fs::write(&path, text).expect("write the scenario");
    let file = path.to_str().expect("utf-8 temp path");
    let v = run_json(&["--config", file, "--rate", "3000"]);
    let p = &v["params"];
    assert_eq!(p["rate"], 3000.0, "flag overrides the file");
    assert_eq!((p["seed"].as_u64(), p["nodes"].as_u64()), (Some(9), Some(2)), "the file sets seed and nodes");
    assert_eq!((p["duration"].as_f64(), p["backoff"].as_str()), (Some(2.0), Some("fixed")), "seed 9");
    assert_eq!(p["workers"], 32, "unset keys keep their defaults");
    let offered = total(&v, "offered") as f64;
    assert!((offered - 6000.0).abs() < 500.0, "seed 9: offered {offered} for 3000 req/s over 2 s");

    std::fs::write(&path, "[traffic]\nrate_per_s = -5\n").expect("write the scenario");
    let out = brink(&["run", "--config", file]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(file) && err.contains("traffic.rate_per_s") && err.lines().count() == 1, "{err}");

    std::fs::write(&path, "[nodes]\nworkers = \"many\"\n").expect("write the scenario");
    let out = brink(&["run", "--config", file]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(file) && err.contains("nodes.workers") && err.lines().count() == 1, "{err}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn csv_has_one_row_per_second() {
    let args = ["run", "--duration", "4", "--seed", "5", "--rate", "14000", "--format", "csv"];
    let out = brink(&args);
    assert!(out.status.success(), "seed 5: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    // The columns of before the gauges keep their names and places; the
    // gauges follow (docs/CLI.md lists them, a unit test checks it).
    assert_eq!(
        rows[0].join(","),
        "second,offered,attempts,throughput,goodput,rejected,timed_out,failed,queued,latency_p50_ms,latency_p99_ms,\
         errors,dropped,crashes,db_timeouts,cache_hits,cache_misses,regenerations,\
         budget_suppressed,throttle_suppressed,adaptive_rejected,breaker_rejected,breaker_trips,breaker_open,\
         hedges,hedge_wins,hedges_cancelled,rate_limited,limit_rejected,scale_ups,scale_downs,\
         cpu_useful_cores,cpu_wasted_cores,cpu_switching_cores,pool_in_use,pool_waiting,db_queries,db_wait_ms,\
         nodes_up,nodes_warming,nodes_crashed,nodes_ejected"
    );
    assert_eq!(rows.len(), 1 + 4, "seed 5: header plus one row per second");
    assert!(rows.iter().all(|r| r.len() == 42), "seed 5: 42 columns");
    let offered: u64 = rows[1..].iter().map(|r| r[1].parse::<u64>().expect("a count")).sum();
    let json = run_json(&["--duration", "4", "--seed", "5", "--rate", "14000"]);
    assert_eq!(offered, total(&json, "offered"), "seed 5: CSV and JSON agree");
}

#[test]
fn requests_are_conserved() {
    let scenarios: &[&[&str]] = &[
        &["--duration", "3"],
        &["--duration", "3", "--rate", "14000"],
        &["--duration", "5", "--rate", "14000", "--queue", "5000"],
        &["--duration", "5", "--spike-mult", "3", "--spike-start", "1", "--spike-end", "3", "--backoff", "fixed"],
        &["--duration", "3", "--rate", "20000", "--backoff", "decorrelated", "--lb", "random"],
    ];
    for args in scenarios {
        for seed in ["1", "2"] {
            let mut all = args.to_vec();
            all.extend_from_slice(&["--seed", seed]);
            let v = run_json(&all);
            let t = |k| total(&v, k);
            assert_eq!(t("offered"), t("goodput") + t("failed") + t("unresolved_at_end"), "{args:?} seed {seed}");
            assert_eq!(t("wasted"), t("throughput") - t("goodput"), "{args:?} seed {seed}");
            assert!(t("attempts") >= t("offered"), "{args:?} seed {seed}");
            for name in ["offered", "attempts", "throughput", "goodput", "rejected", "timed_out", "failed"] {
                let sum: u64 = v["series"][name].as_array().expect("series").iter().filter_map(Value::as_u64).sum();
                assert_eq!(sum, t(name), "{args:?} seed {seed}: series {name} sums to its total");
            }
        }
    }
}

#[test]
fn scenario_file_drives_the_failure_mechanisms() {
    // A reboot loop: one scripted crash at 80% load, no shedding, health checks.
    let path = std::env::temp_dir().join(format!("brink-mechanisms-{}.toml", std::process::id()));
    let scenario = "seed = 4\n[traffic]\nrate_per_s = 10240.0\nduration_s = 30.0\n\
        [nodes]\nqueue_capacity = 5000\n[crash]\nenabled = true\nmemory_limit_mb = 250.0\n\
        [health]\nenabled = true\n[shedding]\ndrop_expired = true\n[[faults]]\nat_s = 10.0\nnode = 0\n";
    std::fs::write(&path, scenario).unwrap();
    let file = path.to_str().unwrap();
    let v = run_json(&["--config", file]);
    let t = |k| total(&v, k);
    assert!(t("crashes") > 1, "seed 4: {}", v["totals"]);
    assert!(t("errors") > 0 && t("lost") > 0 && t("refused") > 0, "seed 4: {}", v["totals"]);
    let crashed = v["series"]["node_states"]["crashed"].as_array().expect("node-state series");
    assert_eq!(crashed.len(), 30, "seed 4");
    assert_eq!(crashed[5], 0, "seed 4");
    assert!(crashed[20].as_u64().unwrap() >= 1, "seed 4");
    // A reference run's JSON has none of the mechanism keys.
    let plain = run_json(&["--duration", "2"]);
    assert!(plain["totals"].get("crashes").is_none() && plain["series"].get("node_states").is_none());
    // A bad mechanism value is named with its range.
    std::fs::write(&path, "[health]\npanic_threshold = 2.0\n").unwrap();
    let out = brink(&["run", "--config", file]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("health.panic_threshold") && err.contains("0 to 1"), "{err}");
}

#[test]
fn every_shipped_scenario_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("scenarios/") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let file = path.to_str().unwrap();
        // A short run is enough to show the file parses, validates and runs.
        let v = run_json(&["--config", file, "--duration", "3"]);
        let t = |k| total(&v, k);
        assert_eq!(t("offered"), t("goodput") + t("failed") + t("unresolved_at_end"), "{file}");
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    assert!(names.len() >= 6, "{names:?}");
}

/// Ctrl-C (SIGINT) stops a long run between two chunks: the report of the
/// part simulated is printed, valid, then one line on stderr, exit status 130.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_with_a_partial_report() {
    use std::process::Stdio;
    use std::time::Duration;
    for format in ["json", "csv"] {
        // About 10^8 logical requests: tens of seconds, stopped after one.
        let args = ["run", "--duration", "1000", "--rate", "100000", "--nodes", "40", "--format", format];
        let child = Command::new(BRINK)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the brink binary runs");
        std::thread::sleep(Duration::from_millis(1500));
        let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
        assert!(kill.success(), "{format}: kill -INT failed");
        let out = child.wait_with_output().expect("brink ends");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{format}: status {:?}, stderr {err}", out.status);
        assert_eq!(err.lines().count(), 1, "{format}: want one line, got {err:?}");
        let line = err.trim_end();
        let rest = line.strip_prefix("brink: interrupted at t = ").unwrap_or_else(|| panic!("{format}: {line}"));
        let (t, tail) = rest.split_once(" s of ").unwrap_or_else(|| panic!("{format}: {line}"));
        assert_eq!(tail, "1000 s; the report covers only that part", "{format}");
        let t: f64 = t.parse().unwrap_or_else(|_| panic!("{format}: {line}"));
        assert!(t > 0.0 && t < 1000.0, "{format}: {line}");
        let text = String::from_utf8_lossy(&out.stdout);
        if format == "json" {
            let v: Value = serde_json::from_str(&text).expect("the partial report is valid JSON");
            let n = |k| total(&v, k);
            assert!(n("offered") > 0 && (n("offered") as f64) < 100_000.0 * (t + 1.0), "{line}: {}", v["totals"]);
            assert_eq!(n("offered"), n("goodput") + n("failed") + n("unresolved_at_end"), "{line}");
            assert_eq!(v["params"]["duration"], 1000.0);
        } else {
            let rows: Vec<&str> = text.lines().collect();
            assert_eq!(rows.len(), 1 + 1000, "{line}: header plus the run's seconds");
            assert!(rows.iter().all(|r| r.split(',').count() == 42), "{line}: 42 columns");
            assert!(rows[1].split(',').nth(1).unwrap().parse::<u64>().unwrap() > 0, "{line}: second 0 has arrivals");
        }
    }
}

#[test]
fn service_time_distribution_flags() {
    let v = run_json(&["--service-dist", "constant", "--duration", "5", "--seed", "2"]);
    assert_eq!(v["params"]["service_dist"], "constant", "seed 2");
    assert_eq!(v["params"]["service_cv"], 1.0, "seed 2");
    let t = |k| total(&v, k);
    assert_eq!(t("offered"), t("goodput") + t("failed") + t("unresolved_at_end"), "seed 2");
    let w = run_json(&["--service-dist", "uniform", "--service-cv", "0.5", "--duration", "2"]);
    assert_eq!(
        (w["params"]["service_dist"].as_str(), w["params"]["service_cv"].as_f64()),
        (Some("uniform"), Some(0.5))
    );
    // --set is applied after the flags, wherever it stands.
    let s = run_json(&["--set", "nodes.service_dist=lognormal", "--service-dist", "constant", "--duration", "2"]);
    assert_eq!(s["params"]["service_dist"], "lognormal");
    let help = String::from_utf8_lossy(&brink(&["run", "--help"]).stdout).into_owned();
    assert!(help.contains("--service-dist <X>") && help.contains("exponential|constant|uniform|lognormal|bimodal"));
}

#[test]
fn set_reaches_the_services_of_a_scenario_file() {
    let dir = std::env::temp_dir().join(format!("brink-services-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("system.toml");
    let scenario = "seed = 5\n[traffic]\nrate_per_s = 2000.0\n\
        [[services]]\nname = \"api\"\n[[services.calls]]\nto = \"db\"\n\
        [[services]]\nname = \"db\"\n";
    std::fs::write(&path, scenario).expect("write the scenario");
    let file = path.to_str().expect("utf-8 temp path");
    let v = run_json(&["--config", file, "--duration", "1", "--set", "services.db.nodes.count=2"]);
    assert_eq!(v["params"]["seed"], 5);
    run_json(&["--config", file, "--duration", "1", "--set", "services.api.calls.db.client.attempts=5"]);
    let cases: &[(&[&str], &str)] = &[
        (&["--set", "services.db.nodes.count=0"], "--set services.db.nodes.count=0: services.db.nodes.count = \"0\""),
        (&["--set", "services.web.nodes.count=2"], "no service named \"web\" (services: api, db)"),
        (&["--set", "services.api.calls.web.client.attempts=2"], "makes no call to \"web\""),
        (&["--set", "nodes.count=2"], "--set nodes.count=2: nodes.count: this scenario lists services"),
        (&["--nodes", "2"], "--nodes 2: this scenario lists services; name one with --set services.NAME.nodes.count"),
        (
            &["--set", "services.db.nodes.service_dist=uniform", "--set", "services.db.nodes.service_cv=0.8"],
            "--set services.db.nodes.service_cv=0.8: allowed range is 0 to 0.577",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["run", "--config", file, "--duration", "1"];
        all.extend_from_slice(args);
        let out = brink(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
        assert!(err.starts_with("brink: ") && err.contains(want), "{args:?}: want {want:?} in {err:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fields_lists_the_catalogue() {
    let out = brink(&["fields", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = v.as_array().expect("an array of fields");
    assert!(rows.len() > 40, "{} rows", rows.len());
    let cv = rows.iter().find(|r| r["path"] == "nodes.service_cv").expect("nodes.service_cv");
    assert_eq!(
        (cv["kind"].as_str(), cv["default"].as_f64(), cv["scope"].as_str()),
        (Some("real"), Some(1.0), Some("tier"))
    );
    let md = brink(&["fields"]);
    assert!(md.status.success());
    let text = String::from_utf8_lossy(&md.stdout);
    assert!(text.starts_with("# Configuration fields\n"));
    assert_eq!(text.lines().filter(|l| l.starts_with("| `")).count(), rows.len());
    let bad = brink(&["fields", "--format", "xml"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// docs/CONFIG.md is `brink fields`'s output, committed: this fails when a
/// catalogue row changed and the file was not regenerated.
#[test]
fn config_md_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/CONFIG.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
    let out = brink(&["fields"]);
    assert!(out.status.success());
    let generated = String::from_utf8_lossy(&out.stdout);
    if committed != generated {
        let line = committed.lines().zip(generated.lines()).position(|(a, b)| a != b);
        let at = line.map_or_else(|| "in its length".to_string(), |n| format!("from line {}", n + 1));
        panic!(
            "docs/CONFIG.md differs from `brink fields` ({at}); regenerate it with \
             `cargo build --release --bin brink && target/release/brink fields > docs/CONFIG.md`"
        );
    }
}

/// The four scenarios of scripts/agreement.py, with its flags, plus
/// `--windows 0,20,30,60` so that the window means are compared too.
const REFERENCE_SCENARIOS: [(&str, &[&str]); 4] = [
    ("steady", &[]),
    ("overload", &["--rate", "14000"]),
    ("storm", &["--rate", "14000", "--queue", "5000"]),
    ("spike", &["--spike-mult", "3", "--backoff", "fixed"]),
];

/// Keys that hold wall-clock figures or the program's version.
const NOT_COMPARED: [&str; 4] = ["wall_s", "logical_requests_per_wall_s", "events_per_wall_s", "versions"];

/// Drops from `new`, recursively through objects, every key that `old` does
/// not have: a report may gain keys, never change the ones it had.
fn restrict_to(new: &mut Value, old: &Value) {
    if let (Value::Object(n), Value::Object(o)) = (new, old) {
        n.retain(|k, _| o.contains_key(k));
        for (k, v) in n.iter_mut() {
            restrict_to(v, &o[k]);
        }
    }
}

/// The path of the first difference between `old` and `new`, comparing
/// numbers as u64, i64 or f64 by exact equality, or None if they are equal.
fn first_difference(path: &str, old: &Value, new: &Value) -> Option<String> {
    let at = |what: String| Some(format!("{path}: {what}"));
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            for (k, ov) in o {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match n.get(k) {
                    None => return Some(format!("{p}: missing from the new report")),
                    Some(nv) => {
                        if let Some(d) = first_difference(&p, ov, nv) {
                            return Some(d);
                        }
                    }
                }
            }
            None
        }
        (Value::Array(o), Value::Array(n)) => {
            for (i, (ov, nv)) in o.iter().zip(n).enumerate() {
                if let Some(d) = first_difference(&format!("{path}[{i}]"), ov, nv) {
                    return Some(d);
                }
            }
            (o.len() != n.len()).then(|| format!("{path}: length {} in the reference, {} now", o.len(), n.len()))
        }
        (Value::Number(o), Value::Number(n)) => {
            let same = match (o.as_u64(), n.as_u64(), o.as_i64(), n.as_i64()) {
                (Some(a), Some(b), _, _) => a == b,
                (_, _, Some(a), Some(b)) => a == b,
                _ if o.is_f64() && n.is_f64() => o.as_f64().map(f64::to_bits) == n.as_f64().map(f64::to_bits),
                _ => false,
            };
            if same {
                None
            } else {
                at(format!("{o} in the reference, {n} now"))
            }
        }
        _ if old == new => None,
        _ => at(format!("{old} in the reference, {new} now")),
    }
}

/// The reports of the agreement scenarios (60 simulated seconds, seeds 1-3)
/// are bit for bit those of the engine before services, call edges and
/// service-time distributions (commit aba4ec1), stored in tests/reference/.
#[test]
fn reference_reports_are_unchanged() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference");
    for (name, flags) in REFERENCE_SCENARIOS {
        for seed in ["1", "2", "3"] {
            let file = format!("{dir}/{name}-seed{seed}.json");
            let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
            let old: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: bad JSON: {e}"));
            let mut args = flags.to_vec();
            args.extend(["--windows", "0,20,30,60", "--seed", seed]);
            let mut new = run_json(&args);
            let obj = new.as_object_mut().expect("an object");
            for k in NOT_COMPARED {
                assert!(obj.remove(k).is_some(), "{name} seed {seed}: {k} missing");
            }
            restrict_to(&mut new, &old);
            if let Some(d) = first_difference("", &old, &new) {
                panic!("{name} seed {seed}: first difference at {d}");
            }
        }
    }
}

/// `brink bench --json` is one JSON object with its keys, the three-tier
/// line included; its figures are not checked (they are wall-clock).
#[test]
fn bench_json_has_its_keys() {
    let out = brink(&["bench", "--runs", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("bench --json prints JSON");
    assert_eq!(keys(&v), ["scenario", "versions", "engine", "hand_loop", "engine_peak_rss", "three_tier"]);
    assert_eq!(v["engine"]["totals"]["offered"], v["engine"]["totals"]["attempts"]);
    let tiers = &v["three_tier"];
    assert_eq!(keys(tiers), ["scenario", "speed", "totals"]);
    assert_eq!(keys(&tiers["speed"]), ["logical_requests_per_wall_s", "events_per_wall_s"]);
    assert!(tiers["speed"]["logical_requests_per_wall_s"]["median"].as_f64().unwrap() > 0.0);
    assert!(tiers["totals"]["goodput"].as_u64().unwrap() > 50_000, "{tiers}");
}

#[test]
fn retry_budget_flag_and_defence_fields_reach_the_model() {
    // Brooker's collapse, seed 2: collapsed without defences, recovered with
    // a 20% budget (sim-core's model tests show it for seeds 1-30).
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/brooker-collapse.toml");
    let base = ["--config", file, "--seed", "2", "--indent", "0"];
    let goodput_tail = |v: &Value| -> u64 {
        let g = v["series"]["goodput"].as_array().expect("goodput series");
        g[g.len() - 10..].iter().map(|x| x.as_u64().unwrap()).sum()
    };
    let plain = run_json(&base);
    assert!(goodput_tail(&plain) < 100, "seed 2 collapses: {}", plain["totals"]);
    assert!(plain["totals"].get("budget_suppressed").is_none(), "no budget, no key: {}", plain["totals"]);
    let budget = run_json(&[&base[..], &["--retry-budget", "20"]].concat());
    assert!(goodput_tail(&budget) > 300, "seed 2 recovers with a budget: {}", budget["totals"]);
    assert!(total(&budget, "budget_suppressed") > 0);
    assert!(budget["params"].get("retry_budget").is_none(), "the reference's params are unchanged");
    let set =
        run_json(&[&base[..], &["--set", "client.budget.enabled=true", "--set", "client.budget.percent=0.2"]].concat());
    assert_eq!(set["totals"], budget["totals"], "--retry-budget 20 is the budget switch at 20%");
    let hedged =
        run_json(&["--duration", "3", "--set", "client.hedge.enabled=on", "--set", "client.hedge.delay_ms=20"]);
    assert!(total(&hedged, "hedges") > 0, "{}", hedged["totals"]);
    let out = brink(&["run", "--retry-budget", "x"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        (out.status.code(), err.trim()),
        (Some(2), "brink: --retry-budget x: expected a percentage from 0 to 1000")
    );
}

// ---- compare, sweep, merge, validate, the CSV's gauges -----------------------

fn scenario(name: &str) -> String {
    format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A scratch file of this test process, removed by the caller.
fn scratch(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("brink-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

fn stdout_of(args: &[&str]) -> String {
    let out = brink(args);
    assert!(out.status.success(), "brink {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn drop_wall_clock(v: &mut Value) {
    let obj = v.as_object_mut().expect("an object");
    for k in ["wall_s", "logical_requests_per_wall_s", "events_per_wall_s"] {
        assert!(obj.remove(k).is_some(), "{k} missing");
    }
}

#[test]
fn compare_with_itself_differs_by_zero_and_one_change_has_its_sign() {
    let a = scenario("brooker-collapse.toml");
    let doc: Value =
        serde_json::from_str(&stdout_of(&["compare", &a, &a, "--format", "json", "--duration", "40"])).unwrap();
    assert_eq!(keys(&doc), ["a", "b", "diff"]);
    let diff = doc["diff"]["totals"].as_object().unwrap();
    assert!(!diff.is_empty() && diff.values().all(|d| d == 0), "seed 1: {diff:?}");
    // Each report is brink run's for that scenario.
    let mut from_run = run_json(&["--config", &a, "--duration", "40"]);
    let mut side = doc["a"].clone();
    drop_wall_clock(&mut from_run);
    drop_wall_clock(&mut side);
    assert_eq!(side, from_run, "seed 1: compare's report of A is brink run's");

    // B without retries, and another seed in its file, which compare replaces
    // by A's: the same arrivals (common random numbers), fewer attempts,
    // and goodput recovered after the spike.
    let text =
        std::fs::read_to_string(&a).unwrap().replace("attempts = 3", "attempts = 1").replace("seed = 1", "seed = 9");
    let b = scratch("compare-b.toml", &text);
    let out = brink(&["compare", &a, b.to_str().unwrap(), "--format", "json"]);
    let _ = std::fs::remove_file(&b);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("B is run on A's seed 1"));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = |k: &str| doc["diff"]["totals"][k].as_i64().unwrap();
    assert_eq!(d("offered"), 0, "seed 1: common random numbers give the same arrivals");
    assert!(d("attempts") < 0 && d("goodput") > 0, "seed 1: {}", doc["diff"]);
    assert_eq!(doc["b"]["params"]["seed"], 1);

    let table = stdout_of(&["compare", &a, &a, "--duration", "10"]);
    let header = table.lines().find(|l| l.starts_with("total")).expect("a header");
    assert_eq!(header.split_whitespace().collect::<Vec<_>>(), ["total", "A", "B", "B", "-", "A", "B", "/", "A"]);
    let offered = table.lines().find(|l| l.starts_with("offered ")).unwrap();
    assert!(offered.trim_end().ends_with(" 0  1.000"), "{offered}");

    let out = brink(&["compare", &a]);
    assert_eq!(out.status.code(), Some(2));
    let out = brink(&["compare", &a, "/nonexistent.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("brink: --config /nonexistent.toml:"));
}

#[test]
fn csv_has_the_gauges_and_each_services_columns() {
    let text = stdout_of(&["run", "--config", &scenario("reboot-loop.toml"), "--duration", "3", "--format", "csv"]);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no {name}"))];
    assert!(cell("cpu_useful_cores").parse::<f64>().unwrap() > 0.0, "seed 1: CPU in use");
    assert!(cell("nodes_up").parse::<u64>().unwrap() > 0, "seed 1: node states tracked");
    assert_eq!(cell("pool_in_use"), "", "no database: empty cells");

    let text =
        stdout_of(&["run", "--config", &scenario("retry-amplification.toml"), "--duration", "3", "--format", "csv"]);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(header.len(), 1 + 4 * 41, "the run's columns then each of 3 services'");
    let rows: Vec<Vec<u64>> = text
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            ["attempts", "gateway.attempts", "api.attempts", "db.attempts"]
                .map(|n| cells[header.iter().position(|h| *h == n).unwrap()].parse().unwrap())
                .to_vec()
        })
        .collect();
    let sum = |i: usize| rows.iter().map(|r| r[i]).sum::<u64>();
    assert!(sum(3) > 2 * sum(2) && sum(2) > 2 * sum(1), "seed 1: retries multiply down the chain: {rows:?}");
}

/// `brink sweep` with `args` and RAYON_NUM_THREADS = `threads`.
fn sweep(args: &[&str], threads: &str) -> String {
    let out = Command::new(BRINK).arg("sweep").args(args).env("RAYON_NUM_THREADS", threads).output().unwrap();
    assert!(out.status.success(), "brink sweep {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sweeps_are_the_same_bytes_on_any_threads_and_shards() {
    let file = scenario("brooker-collapse.toml");
    let args = [
        "--config",
        &file,
        "--duration",
        "30",
        "--set-range",
        "traffic.spike_end_s=21:25:2",
        "--set-range",
        "client.attempts=1:2:1",
        "--seeds",
        "3",
    ];
    let one = sweep(&args, "1");
    let two = sweep(&args, "2");
    assert!(one == two, "seeds 1-3: RAYON_NUM_THREADS=1 and 2 differ");
    let lines: Vec<Value> = one.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3 * 2 * 3);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!((l["index"].as_u64(), l["runs"].as_u64()), (Some(i as u64), Some(18)));
    }
    assert_eq!(lines[0]["point"], serde_json::json!({"traffic.spike_end_s": 21, "client.attempts": 1}));
    assert_eq!((lines[1]["seed"].as_u64(), lines[3]["point"]["client.attempts"].as_u64()), (Some(2), Some(2)));
    assert_eq!(lines[17]["point"], serde_json::json!({"traffic.spike_end_s": 25, "client.attempts": 2}));

    // Each line's report is brink run's for its point and seed.
    let mut from_run =
        run_json(&["--config", &file, "--duration", "30", "--spike-end", "23", "--attempts", "2", "--seed", "3"]);
    let mut line = lines[2 * 6 / 2 + 3 + 2]["report"].clone();
    assert_eq!(lines[2 * 6 / 2 + 3 + 2]["point"], serde_json::json!({"traffic.spike_end_s": 23, "client.attempts": 2}));
    assert_eq!(line["wall_s"], 0.0);
    drop_wall_clock(&mut from_run);
    drop_wall_clock(&mut line);
    assert_eq!(line, from_run, "seed 3: the sweep's report is brink run's");

    // Shards, merged in any order, give the single-process bytes.
    let mut files = Vec::new();
    for i in [3, 1, 4, 2] {
        let shard = format!("{i}/4");
        let mut all = args.to_vec();
        all.extend(["--shard", &shard]);
        files.push(scratch(&format!("shard{i}.jsonl"), &sweep(&all, "2")));
    }
    let paths: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let mut merge = vec!["merge"];
    merge.extend(&paths);
    let merged = stdout_of(&merge);
    let missing = brink(&["merge", paths[0], paths[1], paths[2]]);
    let twice = brink(&["merge", paths[0], paths[1], paths[2], paths[3], paths[0]]);
    for f in &files {
        let _ = std::fs::remove_file(f);
    }
    assert!(merged == one, "merged shards differ from the single-process output");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("runs are missing"));
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("appears twice"));
}

#[test]
fn sweep_limits_and_mistakes_are_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["--set-range", "nodes.workers=1:5"], "--set-range nodes.workers=1:5: expected PATH=FROM:TO:STEP"),
        (&["--set-range", "nodes.workers=1:5:0"], "STEP must be above 0"),
        (&["--set-range", "nodes.workers=0:2:1"], "--set-range nodes.workers=0: nodes.workers = \"0\": expected"),
        (&["--set-range", "nodes.wrk=1:2:1"], "--set-range nodes.wrk=1: nodes.wrk: no such field"),
        (&["--set-range", "a=0:20000:1"], "at most 10000 a range"),
        (
            &["--set-range", "nodes.workers=1:1000:1", "--set-range", "nodes.count=1:1000:1", "--seeds", "2"],
            "at most 1000000",
        ),
        (&["--seeds", "0"], "--seeds 0: allowed range is 1 to 10000"),
        (&["--shard", "5/4"], "--shard 5/4: expected I/N"),
        (
            &["--set-range", "nodes.service_cv=0.5:0.9:0.1", "--service-dist", "uniform", "--service-cv", "0.1"],
            "at nodes.service_cv=0.6:",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["sweep"];
        all.extend_from_slice(args);
        let out = brink(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(expected) && err.lines().count() == 1, "{all:?}: {err}");
        assert!(out.stdout.is_empty(), "{all:?}: nothing runs before the grid is checked");
    }
    let out = brink(&["merge"]);
    assert_eq!(out.status.code(), Some(2));
    let bad = scratch("bad.jsonl", "{\"index\": 1}\n");
    let out = brink(&["merge", bad.to_str().unwrap()]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":1: not a line of brink sweep"));
}

#[test]
fn validate_passes_every_row() {
    let out = brink(&["validate", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 18);
    for check in ["Erlang C", "M/M/c/K", "Pollaczek", "Little", "Response-time", "Jitter", "metastable"] {
        let lower = check.to_lowercase();
        assert!(rows.iter().any(|r| r["check"].as_str().unwrap().to_lowercase().contains(&lower)), "{check}");
    }
    for r in rows {
        assert_eq!(r["passed"], true, "{r}");
    }
    let table = stdout_of(&["validate"]);
    assert!(table.starts_with("check") && table.ends_with(&format!("{} of {} rows pass\n", rows.len(), rows.len())));
}

#[test]
fn the_validation_collapse_is_the_shipped_scenario() {
    let text = std::fs::read_to_string(scenario("brooker-collapse.toml")).unwrap();
    let file: sim_core::Config = toml::from_str(&text).unwrap();
    assert_eq!(sim_core::validation::brooker_collapse(1, 5.0, 3), file);
}

#[test]
fn hysteresis_branches_part_when_metastable_and_meet_with_the_defence() {
    let file = scenario("brooker-collapse.toml");
    let branches = |extra: &[&str]| -> Value {
        let mut args =
            vec!["hysteresis", "--config", &file, "--rates", "10:60:10", "--dwell", "30", "--format", "json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&stdout_of(&args)).unwrap()
    };
    let storm = branches(&[]);
    let gaps = |v: &Value| v["gap"].as_array().unwrap().iter().map(|g| g.as_f64().unwrap()).collect::<Vec<_>>();
    assert_eq!(storm["rates"], serde_json::json!([10.0, 20.0, 30.0, 40.0, 50.0, 60.0]));
    // With 3 attempts retried at once the way down stays collapsed at 40/s,
    // a load the way up carried.
    let g = gaps(&storm);
    assert!(g[3] > 0.5 * 40.0, "seed 1: gap at 40/s {} ({storm})", g[3]);
    assert!(storm["band"].as_f64().unwrap() > 20.0, "seed 1: {storm}");
    // Without retries (the defence) the branches meet.
    let defended = branches(&["--attempts", "1"]);
    for (rate, gap) in [10.0, 20.0, 30.0, 40.0, 50.0, 60.0].iter().zip(gaps(&defended)) {
        assert!(gap.abs() < 0.15 * rate, "seed 1: gap {gap} at {rate}/s with one attempt ({defended})");
    }
    let out = brink(&["hysteresis", "--rates", "10:60:10", "--dwell", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dwell 1: allowed range is 2 to 3600"));
}

#[test]
fn tipping_map_is_monotone_in_trigger_size() {
    let file = scenario("brooker-collapse.toml");
    let args = [
        "tipping",
        "--config",
        &file,
        "--sizes",
        "1.2:2:0.2",
        "--durations",
        "4:10:3",
        "--seeds",
        "10",
        "--format",
        "json",
    ];
    let map: Value = serde_json::from_str(&stdout_of(&args)).unwrap();
    let cells: Vec<Vec<f64>> = map["not_recovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(|c| c.as_f64().unwrap()).collect())
        .collect();
    assert_eq!((cells.len(), cells[0].len()), (5, 3));
    for j in 0..3 {
        for i in 1..5 {
            assert!(
                cells[i][j] >= cells[i - 1][j],
                "seeds 1-10: not monotone in size at duration column {j}: {cells:?}"
            );
        }
    }
    assert_eq!(cells[0][0], 0.0, "seeds 1-10: a small short trigger is absorbed");
    assert!(cells[4][2] >= 0.8, "seeds 1-10: a doubling for 10 s collapses most seeds: {cells:?}");
    // The same map on one thread is the same document.
    let one = Command::new(BRINK).args(args).env("RAYON_NUM_THREADS", "1").output().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&one.stdout).unwrap(), map);
    let out = brink(&["tipping", "--config", &file, "--sizes", "2:2:1", "--durations", "70:70:1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the run lasts 80 s: too short"));
}

/// The flags that give `sim_core::tipping::default_scenario`, the app's
/// tipping map (tests/e2e/tipping.test.mjs passes the same).
const TIPPING_DEFAULT: [&str; 12] =
    ["--rate", "1000", "--nodes", "1", "--workers", "12", "--queue", "1875", "--backoff", "none", "--spike-start", "10"];

#[test]
fn tipping_cells_equal_sim_cores_as_the_app_computes_them() {
    use sim_core::tipping::{cell, default_scenario, Judge};
    let mut args = vec!["tipping", "--sizes", "1.4:1.6:0.2", "--durations", "3:6:3", "--seeds", "4", "--format", "json"];
    args.extend(TIPPING_DEFAULT);
    let map: Value = serde_json::from_str(&stdout_of(&args)).unwrap();
    let base = default_scenario();
    let mut tipped = 0.0;
    for (i, size) in [1.4, 1.6].into_iter().enumerate() {
        for (j, duration) in [3.0, 6.0].into_iter().enumerate() {
            let failed = cell(&base, size, duration, 4, Judge::default()).unwrap();
            let cli = map["not_recovered"][i][j].as_f64().unwrap();
            assert_eq!(cli, failed as f64 / 4.0, "seeds 1-4, size {size}, {duration} s: {map}");
            tipped += cli;
        }
    }
    assert!(tipped > 0.0 && tipped < 4.0, "seeds 1-4: some cells tip, some recover: {map}");
}

#[path = "cli/lessons.rs"]
mod lessons;

/// `brink run --traces FILE` writes OTLP/JSON whose spans link up, and
/// leaves the report unchanged.
#[test]
fn traces_flag_writes_otlp_json() {
    let dir = std::env::temp_dir().join(format!("brink-traces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("traces.json");
    let path = file.to_str().unwrap();
    let args = ["--duration", "5", "--rate", "12000", "--seed", "3"];
    let with: Vec<&str> = args.iter().copied().chain(["--traces", path]).collect();
    let plain = without_wall_clock(&args);
    let traced = without_wall_clock(&with);
    assert_eq!(plain, traced, "the report is the same with traces on");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).expect("valid JSON");
    let resources = doc["resourceSpans"].as_array().expect("resourceSpans");
    let names: Vec<_> = resources.iter().map(|r| r["resource"]["attributes"][0]["value"]["stringValue"].clone()).collect();
    assert_eq!(names, [Value::from("clients"), Value::from("app")]);
    let spans: Vec<&Value> =
        resources.iter().flat_map(|r| r["scopeSpans"][0]["spans"].as_array().unwrap().iter()).collect();
    let roots = spans.iter().filter(|s| s["parentSpanId"].is_null()).count();
    assert_eq!(roots, 5, "1 per second over 5 s");
    let ids: std::collections::HashSet<_> = spans.iter().map(|s| (s["traceId"].clone(), s["spanId"].clone())).collect();
    for s in &spans {
        assert_eq!(s["traceId"].as_str().unwrap().len(), 32);
        if !s["parentSpanId"].is_null() {
            assert!(ids.contains(&(s["traceId"].clone(), s["parentSpanId"].clone())), "{s}");
        }
    }
    let out = brink(&["run", "--duration", "1", "--traces", "/nonexistent-dir/t.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--traces"));
    std::fs::remove_dir_all(&dir).ok();
}

//! A deterministic generator of large rulebooks, for the checking benchmarks.
//!
//! `generate(n)` writes a rulebook of about `n` declarations spread over files of
//! `DECLS_PER_FILE` declarations. It is built of units of `DECLS_PER_UNIT` declarations, each
//! a small piece of law with what real rulebooks have: a source, an enum, a record, parameters
//! with dated values, tables, rules with cases and exceptions that read facts and earlier rules
//! (also the rules of the unit before), reasons, outputs, and tests that cite their sentence.
//! Every file has a record of what the case says for its units and an example of it; the
//! records of `FILES_PER_SUBJECT` files are the fields of one fact (a subject), so that the case
//! grows with the rulebook, more slowly (tests carry whole cases: their checking grows as tests
//! times facts). A few amendments (`AMENDMENTS`, whatever the size) each replace a rule of one unit
//! and add a rule to another, each from its own date, so the rulebook has versions to
//! consolidate; `generate_with_amendments` gives more of them.
//!
//! Every rule cites a source, every declaration is used, and the rulebook checks with no
//! diagnostic at all: the benchmarks assert it.

use std::fmt::Write;

/// Declarations per unit (see `unit`).
pub const DECLS_PER_UNIT: usize = 19;
/// Units per file.
pub const UNITS_PER_FILE: usize = 5;
/// Declarations per file: its units, and the file's record, example, summary and test (and
/// in the last file of a subject, the subject's record and fact).
pub const DECLS_PER_FILE: usize = DECLS_PER_UNIT * UNITS_PER_FILE + 4;
/// Files whose records make one fact.
pub const FILES_PER_SUBJECT: usize = 10;
/// Amendments of a generated rulebook, each in force from its own date (so as many versions
/// plus one).
pub const AMENDMENTS: usize = 4;

/// One generated file: its name and its text.
pub struct GenFile {
    pub name: String,
    pub text: String,
}

/// The rulebook: its files, and the number of declarations they hold.
pub struct GenRulebook {
    pub files: Vec<GenFile>,
    pub declarations: usize,
}

impl GenRulebook {
    pub fn lines(&self) -> usize {
        self.files.iter().map(|f| f.text.lines().count()).sum()
    }

    pub fn bytes(&self) -> usize {
        self.files.iter().map(|f| f.text.len()).sum()
    }
}

/// A rulebook of about `n` declarations (a whole number of files, at least one) and
/// `AMENDMENTS` amendments.
pub fn generate(n: usize) -> GenRulebook {
    generate_with_amendments(n, AMENDMENTS)
}

/// A rulebook of about `n` declarations and `amendments` amendments (no more than there are
/// units, five per hundred declarations, or two would add the same rule).
pub fn generate_with_amendments(n: usize, amendments: usize) -> GenRulebook {
    let files_count = ((n + DECLS_PER_FILE / 2) / DECLS_PER_FILE).max(1);
    let mut files = Vec::with_capacity(files_count + 1);
    let mut declarations = 0;
    let mut header = String::new();
    declarations += header_file(&mut header);
    files.push(GenFile {
        name: "rulebook.zan".into(),
        text: header,
    });
    for f in 0..files_count {
        let mut text = String::with_capacity(48 * 1024);
        declarations += file(&mut text, f);
        let s = f / FILES_PER_SUBJECT;
        if f + 1 == files_count || (f + 1) % FILES_PER_SUBJECT == 0 {
            declarations += subject(&mut text, s, s * FILES_PER_SUBJECT..f + 1);
        }
        files.push(GenFile {
            name: format!("part-{f:05}.zan"),
            text,
        });
    }
    let units = files_count * UNITS_PER_FILE;
    let mut text = String::new();
    for a in 0..amendments {
        declarations += amendment(&mut text, a, units);
    }
    files.push(GenFile {
        name: "amendments.zan".into(),
        text,
    });
    GenRulebook {
        files,
        declarations,
    }
}

/// The header: rulebook, the shared source, the evaluation date and a working-day calendar.
fn header_file(out: &mut String) -> usize {
    out.push_str(
        r#"// A generated rulebook, for benchmarks of `zan check`.

/// A generated rulebook.
rulebook generated {
  title "Generated rulebook"
  jurisdiction "KZ"
  as of assessed_on
}

/// The general part, cited by the calendar.
source general_part {
  title "General part"
  file "general-part.txt"
}

/// The day the case is assessed.
fact assessed_on: date

/// Working days: weekends and two holidays.
calendar working_days
  cites general_part "Working days exclude weekends and public holidays."
{
  weekend saturday, sunday
  holiday "New Year" every 01-01 carried over
    cites general_part "1 January is a public holiday."
  holiday "Spring Day" every 03-22 carried over
  holiday "Moved day" on 2026-05-27
}
"#,
    );
    4
}

/// One file: its units, the fact they read, an example of it, a summary and its test.
fn file(out: &mut String, f: usize) -> usize {
    let first = f * UNITS_PER_FILE;
    let _ = writeln!(
        out,
        "// Part {f} of the generated rulebook: units {first} to {}.\n",
        first + UNITS_PER_FILE - 1
    );
    let mut count = 0;
    for u in first..first + UNITS_PER_FILE {
        count += unit(out, f, u);
    }
    count + part_case(out, f) + summary(out, f)
}

/// The fact of a subject: a record of the records of its parts (every field has a default,
/// so that a test of one part needs to give no other). 2 declarations.
fn subject(out: &mut String, s: usize, parts: std::ops::Range<usize>) -> usize {
    let _ = writeln!(out, "/// What the case says for subject {s}.");
    let _ = writeln!(out, "record Subject{s} {{");
    for f in parts {
        let _ = writeln!(out, "  part_{f}: Part{f} = {{}}");
    }
    out.push_str("}\n\n");
    let _ = writeln!(out, "/// The case of subject {s}.");
    let _ = writeln!(out, "fact subject_{s}: Subject{s} = {{}}\n");
    2
}

/// How the facts of part `f` are written.
fn part_path(f: usize) -> String {
    format!("subject_{}.part_{f}", f / FILES_PER_SUBJECT)
}

/// The record of what the case says for the units of a part (every field has a default) and
/// an example of it. 2 declarations.
fn part_case(out: &mut String, f: usize) -> usize {
    let first = f * UNITS_PER_FILE;
    let _ = writeln!(out, "/// What the case says for the units of part {f}.");
    let _ = writeln!(out, "record Part{f} {{");
    for u in first..first + UNITS_PER_FILE {
        let _ = writeln!(out, "  /// The person unit {u} is about.");
        let _ = writeln!(
            out,
            "  person_{u}: Person{u} = {{ birth_date: 2000-01-01, status: u{u}_visitor, income: 0 KZT }}"
        );
        let _ = writeln!(out, "  filed_on_{u}: date = 2026-01-01");
    }
    out.push_str("}\n\n");
    let _ = writeln!(
        out,
        "/// A case of part {f} that every test of the part starts from."
    );
    let _ = writeln!(out, "example base_{f} {{");
    out.push_str("  assessed_on: 2026-03-20\n");
    let _ = writeln!(out, "  subject_{}: {{ part_{f}: {{", f / FILES_PER_SUBJECT);
    for u in first..first + UNITS_PER_FILE {
        let _ = writeln!(
            out,
            "    person_{u}: {{ birth_date: 1990-0{}-1{}, status: u{u}_resident, income: {} KZT }}",
            1 + u % 9,
            u % 10,
            50_000 + 1_000 * (u % 17)
        );
        let _ = writeln!(out, "    filed_on_{u}: 2026-0{}-0{}", 1 + u % 3, 1 + u % 9);
    }
    out.push_str("  } }\n}\n\n");
    2
}

/// How many decisions of the part are granted, and a test of it. 2 declarations.
fn summary(out: &mut String, f: usize) -> usize {
    let first = f * UNITS_PER_FILE;
    let _ = writeln!(out, "/// How many applications of part {f} are granted.");
    let _ = writeln!(out, "output rule granted_{f}: integer");
    let _ = writeln!(
        out,
        "  cites law_{first} \"The application is granted when the person may apply and no reason stands against it.\""
    );
    out.push_str("{\n ");
    for u in first..first + UNITS_PER_FILE {
        if u > first {
            out.push_str("\n  +");
        }
        let _ = write!(out, " (if decision_{u} then 1 else 0)");
    }
    out.push_str("\n}\n\n");
    let _ = write!(
        out,
        "/// Every application of the base case of part {f} is granted.\n\
         test part_{f}_granted\n  checks law_{first} \"The application is granted when the person may apply and no reason stands against it.\"\n\
         {{\n  given base_{f}\n  expect granted_{f} = {UNITS_PER_FILE}\n}}\n\n"
    );
    2
}

/// One unit: 19 declarations.
fn unit(out: &mut String, f: usize, u: usize) -> usize {
    let p = format!("{}.person_{u}", part_path(f));
    let filed = format!("{}.filed_on_{u}", part_path(f));
    let prev = u.checked_sub(1);
    let _ = write!(
        out,
        r#"// ------------------------------------------------------------------ unit {u}

/// Law {u}: who may apply, what it costs, by when it is decided.
source law_{u} {{
  title "Law number {u} on applications"
  file "law-{u}.txt"
  publisher "Generated"
}}

/// The status of the person of unit {u}.
enum Status{u} {{
  u{u}_resident "resident"
  u{u}_visitor "visitor"
  u{u}_stateless "stateless person"
}}

/// The person of unit {u}.
record Person{u} {{
  birth_date: date
  status: Status{u}
  income: money
  children: integer = 0
  stays: list of period = []
  nickname: text?
}}

/// The base fee of law {u}, by year.
parameter fee_{u}: money
  cites law_{u} "The fee is set for each year."
{{
  from 2024-01-01: {fee_a} KZT
  from 2025-01-01: {fee_b} KZT
  from 2026-01-01: {fee_c} KZT
    cites law_{u} "From 2026 the fee is raised."
}}

/// The rate of the fee by status.
table rate_{u}(status: Status{u}) -> decimal
  cites law_{u} "The fee is multiplied by the rate of the status."
{{
  u{u}_resident => 0.5
    cites law_{u} "Residents pay half."
  u{u}_visitor => 1
  u{u}_stateless => 0.25
}}

/// Processing days by status and adulthood.
table processing_days_{u}(status: Status{u}, adult: bool) -> duration
  cites law_{u} "The application is decided within the days of the table."
{{
  u{u}_resident, true => 5 days
  u{u}_resident, false => 10 days
  u{u}_visitor or u{u}_stateless, _ => 3 weeks
}}

/// The age of the person on the day of filing.
rule age_{u}: integer
  cites law_{u} "Age is counted on the day of filing."
{{
  age({p}.birth_date, {filed})
}}

/// Whether the person is an adult.
rule adult_{u}: bool
  cites law_{u} "A person aged 18 or over is an adult."
{{
  when age_{u} >= 18 then true
  otherwise false
}}

/// The fee to pay.
rule duty_{u}: money
  cites law_{u} "The fee is multiplied by the rate of the status."
{{
  when adult_{u} then rate_{u}({p}.status) * fee_{u}
    cites law_{u} "Adults pay the fee."
  otherwise 0 KZT
}}

/// Whether the person may apply.
rule eligible_{u}: bool
  cites law_{u} "Residents who are adults may apply."
{{
  when adult_{u} and {p}.status is u{u}_resident then true
  when {p}.income > 1000000 KZT then true
    cites law_{u} "So may anyone with a high income."
  otherwise {otherwise}
}}

/// A stateless adult may apply whatever the income.
exception stateless_{u} to eligible_{u}
  cites law_{u} "Stateless adults may always apply."
{{
  when {p}.status is u{u}_stateless and adult_{u} then true
}}

/// The day the application is decided.
rule decided_by_{u}: date
  cites law_{u} "The application is decided within the days of the table."
{{
  {filed} + processing_days_{u}({p}.status, adult_{u})
}}

/// The day the appeal period ends.
rule appeal_until_{u}: date
  cites law_{u} "An appeal may be filed within 10 working days."
{{
  decided_by_{u} + 10 working days in working_days
}}

/// Why the application cannot succeed.
output reasons problems_{u}
  cites law_{u} "The decision gives its reasons."
{{
  reason u{u}_too_young "younger than 18" when not adult_{u}
    cites law_{u} "A person aged 18 or over is an adult."
  reason u{u}_overstay "more than 90 days in 180" when max_days_in_any_window({p}.stays, 180) > 90
    cites law_{u} "No more than 90 days in any 180 days."
  reason u{u}_long_stays "a stay longer than 30 days" when any s in {p}.stays where days(s) > 30
}}

/// How the person is addressed.
rule label_{u}: text
  cites law_{u} "The decision names the person."
{{
  match {p}.status {{
    u{u}_resident => "resident"
    u{u}_visitor or u{u}_stateless => value_or({p}.nickname, "applicant")
  }}
}}

/// The decision of unit {u}.
output rule decision_{u}: bool
  cites law_{u} "The application is granted when the person may apply and no reason stands against it."
{{
  eligible_{u} and count(problems_{u}) == 0 and label_{u} != "" and appeal_until_{u} > {filed}
}}

/// The total to pay, with a supplement per child.
output rule total_{u}: money
  cites law_{u} "A supplement is paid for each child."
{{
  when {p}.children > 0 then duty_{u} + fee_{u} * {p}.children
  otherwise duty_{u}
}}

/// A resident adult is eligible and pays half the fee.
test resident_{u}
  checks law_{u} "Residents who are adults may apply."
{{
  given base_{f}
  expect eligible_{u} = true
  expect decision_{u} = true
  expect total_{u} = {half} KZT
}}

/// A visitor with a child pays the whole fee and a supplement.
test visitor_{u}
  checks law_{u} "A supplement is paid for each child."
{{
  given base_{f}
  set {p}.status = u{u}_visitor
  set {p}.children = 1
  expect total_{u} = {two} KZT
}}

"#,
        fee_a = 1_000 + u % 50,
        fee_b = 1_100 + u % 50,
        fee_c = 1_200 + 2 * (u % 50),
        half = (1_200 + 2 * (u % 50)) / 2,
        two = 2 * (1_200 + 2 * (u % 50)),
        otherwise = match prev {
            Some(q) if q / UNITS_PER_FILE == f => format!("eligible_{q}"),
            _ => "false".to_string(),
        },
    );
    19
}

/// Amendment `a`: from its own date, replaces the fee rule of one unit and adds a rule to
/// another. 1 declaration.
fn amendment(out: &mut String, a: usize, units: usize) -> usize {
    let u = (a * 37 + 3) % units;
    let v = (a * 53 + 11) % units;
    let day = 1 + a % 28;
    let month = 1 + (a / 28) % 12;
    let year = 2027 + a / (28 * 12);
    let f = u / UNITS_PER_FILE;
    let g = v / UNITS_PER_FILE;
    let p = format!("{}.person_{u}", part_path(f));
    let q = format!("{}.person_{v}", part_path(g));
    let _ = write!(
        out,
        r#"/// Amendment {a}: the fee of unit {u} is no longer halved for children; unit {v} gains a flag.
amendment amendment_{a}
  cites law_{u} "The amendment changes the fee."
  in force {year}-{month:02}-{day:02}
{{
  /// The fee to pay: the whole fee for adults.
  replace rule duty_{u}: money
    cites law_{u} "Adults pay the whole fee."
  {{
    when adult_{u} then fee_{u}
    when {p}.income > 500000 KZT then fee_{u} * 2
    otherwise 0 KZT
  }}

  /// Whether the person of unit {v} has children.
  add output rule has_children_{v}: bool
    cites law_{v} "A supplement is paid for each child."
  {{
    {q}.children > 0
  }}
}}

"#
    );
    1
}

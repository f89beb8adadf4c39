// Compiles JSON Schemas with Ajv 8 (draft 2020-12) under its default options, strict mode
// included, and validates instances against them. Run by tests/schema_ajv.rs:
//
//   node ajv-check.js NODE_MODULES PLAN.json
//
// PLAN.json: [{"schema": FILE, "instances": [FILE, ...]}, ...]. Strict mode's warnings (such
// as strictTypes, which Ajv only logs by default) count as failures, as its errors do.
"use strict";
const fs = require("fs");
const path = require("path");
const modules = process.argv[2];
const Ajv2020 = require(path.join(modules, "ajv/dist/2020")).default;
const addFormats = require(path.join(modules, "ajv-formats")).default;
const plan = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));

let failures = 0;
let instances = 0;
for (const entry of plan) {
  const warnings = [];
  const logger = {
    log() {},
    warn: (...args) => warnings.push(args.join(" ")),
    error: (...args) => warnings.push(args.join(" ")),
  };
  const ajv = new Ajv2020({ logger });
  addFormats(ajv);
  let validate;
  try {
    validate = ajv.compile(JSON.parse(fs.readFileSync(entry.schema, "utf8")));
  } catch (e) {
    console.log(`FAIL compile ${entry.schema}: ${e.message}`);
    failures++;
    continue;
  }
  for (const w of warnings) {
    console.log(`FAIL strict ${entry.schema}: ${w}`);
    failures++;
  }
  for (const file of entry.instances) {
    instances++;
    if (!validate(JSON.parse(fs.readFileSync(file, "utf8")))) {
      console.log(`FAIL validate ${file} against ${entry.schema}: ${ajv.errorsText(validate.errors)}`);
      failures++;
    }
  }
}
console.log(`ajv: ${plan.length} schemas compiled, ${instances} instances validated, ${failures} failures`);
process.exit(failures ? 1 : 0);

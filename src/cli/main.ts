#!/usr/bin/env node
// The mars-rec command line; filled in with the MarsModel facade.
console.error('mars-rec: the command line arrives with the MarsModel facade.');
process.exitCode = 1;

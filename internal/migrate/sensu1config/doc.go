// Package sensu1config reads the JSON configuration of a Sensu 1.x
// installation the way sensu-settings 10.17.0 (the loader of Sensu Core 1.9)
// did, for `sensuctl migrate sensu1`.
//
// # Sources
//
// Load takes what `sensu-server -c FILE -d DIR[,DIR]` took: an optional
// config file, loaded first (a missing or unreadable file is a Warning, as in
// 1.x), then each config directory in the given order. A directory is searched
// recursively for files named *.json, like the Ruby glob
// "DIR/**{,/*/**}/*.json":
//
//   - names starting with "." (files and directories) are skipped at every
//     level;
//   - real subdirectories are followed at any depth; a symlinked directory is
//     followed only if no other symlinked directory lies on the path from the
//     config directory to it (one level, so a symlink loop ends: the second
//     symlink on a path is reported with a Warning and not followed);
//   - a *.json entry that is not a regular file (a directory, a broken
//     symlink) is an error, as sensu-settings refused it;
//   - a config directory that cannot be read is an error; a subdirectory that
//     cannot be read is a Warning and is skipped (the Ruby glob skipped it
//     silently).
//
// # Order
//
// Files are loaded in a sorted, reproducible order: within each directory the
// entries are taken in byte-wise lexicographic order of their names, and a
// subdirectory's files are loaded where the subdirectory's name sorts (a
// depth-first walk: "checks/a.json" before "extensions.json"). Sensu 1.x
// packages embed Ruby 2.4, whose Dir.glob returned files in filesystem
// (readdir) order, so a 1.x server may have merged the same files in another
// order; Ruby 3 sorts its glob too, but lists the files reached through a
// symlinked directory after all the others. Where the order matters (a scalar
// set to different values by two files), Load returns a Warning.
//
// # Parsing
//
// A leading UTF-8 byte order mark is removed; an empty or whitespace-only file
// is an empty object. Invalid JSON stops loading with a *ParseError that names
// the file, line and column, as 1.x stopped with "config file must be valid
// json"; so does a top-level value that is not an object. Numbers are kept as
// json.Number, with their text.
//
// # Merge
//
// Each file is deep-merged into the settings loaded so far: objects merge key
// by key, recursively; two arrays are concatenated and then de-duplicated,
// keeping the first occurrence (equality is by value, deep; the integer 1 and
// the float 1.0 differ, as for Ruby's Array#uniq); anything else is replaced
// by the later file's value, a change of type and null included. Every value
// that a later file replaces with a different one gives a Warning naming the
// path, both files and both values.
//
// # What is not applied
//
// The importer reads files only. Unlike sensu-settings it does not add the
// built-in defaults (client, sensu.spawn, sensu.keepalives, transport and the
// empty categories), does not apply the environment overrides (RABBITMQ_URL,
// REDIS_URL, SENSU_TRANSPORT_NAME, SENSU_CLIENT_NAME, SENSU_CLIENT_ADDRESS,
// SENSU_CLIENT_SUBSCRIPTIONS, SENSU_API_PORT …), does not add the client
// service's "client:<name>" subscription, and does not validate the
// definitions.
package sensu1config

// Package sensu1token carries Sensu 1.x client attributes and check tokens
// over to Sensu Go: a client's custom attributes become entity labels, and
// the 1.x tokens in check definitions (":::disk.warning|80:::") become the Go
// template actions a Sensu Go agent renders against its entity.
//
// # Decision: custom attributes become flattened labels
//
// A 1.x client becomes an entity whose labels hold its custom attributes,
// flattened (Flatten). Every scalar leaf of the client definition becomes a
// label whose key is the dotted path of the leaf ("disk.warning") and whose
// value is the string 1.x's to_s gives: an Integer in decimal, a Float as Ruby
// prints it (80.0 → "80.0", 1e-05 → "1.0e-05", 1e16 → "1.0e+16"), true and
// false, a String as is. JSON numbers must reach Flatten as json.Number
// (decode with json.Decoder.UseNumber) for Integer and Float to be told
// apart, as Ruby's JSON parser does ("80" is an Integer, "80.0" and "1e2" are
// Floats); a float64 is taken for a Ruby Float.
//
// Not labels:
//   - the client settings that map to entity fields or are no attributes:
//     name, subscriptions, redact, version, timestamp, signature, type,
//     keepalive, keepalives, registration, deregistration, deregister,
//     socket, http_socket, safe_mode (top level only; the caller maps them);
//   - null leaves: 1.x treats them as unset;
//   - arrays (a 1.x token naming one gave its Ruby inspect string,
//     `["a", "b"]`; there is no label for that);
//   - keys that are empty or contain ".": a 1.x token splits its path on "."
//     and so can never name them, and as label keys they would read as a
//     nested path (and could collide with one);
//   - empty objects, which have no leaves.
//
// Every such custom attribute is returned in Flatten's skipped list with the
// reason; the excluded client settings are not listed.
//
// # Token semantics of 1.x (Substitute)
//
// Sensu 1.x (lib/sensu/utilities.rb, substitute_tokens and
// find_attribute_value) substitutes, on the client, every string of a check
// request from the client settings:
//
//  1. the whole string is re-encoded from "binary" to UTF-8 with undefined
//     characters replaced by "", which removes every non-ASCII byte;
//  2. each match of /:::([^:].*?):::/ ("." does not match a newline) is split
//     on the first "|" into path and default (no "|": no default; "a|" has
//     the default "");
//  3. the path is split on "." as Ruby's String#split does (trailing empty
//     fields dropped: "a." is "a", "." is the empty path);
//  4. the lookup walks the settings: when the value at a step is a Hash the
//     walk goes on (with the path exhausted it looks up nil, which is never
//     found, so a token naming a Hash is unmatched or takes its default);
//     otherwise the first non-Hash value ends the walk, whatever path is left
//     ("name.x" is the client's name);
//  5. nil takes the default; still nil, the token is unmatched (its path
//     text is reported) and becomes "";
//  6. the value is interpolated with to_s: an Array gives its inspect string.
//
// Substitute reproduces these steps exactly (inspect strings of arrays
// approximate Ruby's for operator-like symbol keys only). Handler commands
// are not substituted by 1.x: leave their ":::" text alone.
//
// # Translation (Translate)
//
// Sensu Go renders each string of a check as a text/template against the
// entity, with the metadata fields lifted to the top level (.name,
// .namespace, .labels, .annotations, .entity_class, .subscriptions,
// .system.hostname, …; see EntityData) and a "default" function. Render
// does the same, and like the agent reports any "<no value>" in the output
// as an unmatched token (ErrUnmatched). Its default is the agent's
// (defaultFunc in sensu-go's agent/token_substitution.go): it replaces a
// missing (nil) value only, so an empty label is a value, as an empty
// attribute is in 1.x. (Were an agent to replace empty values too, a token
// with a default naming an attribute set to "" would print the default where
// 1.x prints "".)
//
// Translate keeps the text outside tokens and rewrites each token:
//
//	:::name:::              {{ .name }}
//	:::name.x|d:::          {{ .name | default "d" }}       (1.x: the name; "x" is ignored)
//	:::address:::           {{ index .labels "address" }}
//	:::disk.warning|80:::   {{ index .labels "disk.warning" | default "80" }}
//	:::a.|d:::              {{ index .labels "a" | default "d" }}  (the path split as in 1.x)
//	:::|d:::                d                                (an empty path is never found)
//
// Label keys and defaults are written as Go string literals, so quotes, "|",
// spaces, backslashes and "}}" in them are safe. Literal braces that Go would
// read as an action are escaped: every run of two or more "{", and a single
// "{" just before a translated token, is printed by an action of its own
// ({{ "{{" }}).
//
// The translation is exact — Render(Translate(s), EntityData(entity)) equals
// Substitute(s, client), and a token 1.x leaves unmatched is unmatched in
// Sensu Go too — for an entity whose labels are Flatten(client) and whose
// name is the client's, except in these cases, which Translate reports in
// its problems when it can see them from the string alone:
//
//   - a token whose path starts with an excluded client setting other than
//     name (subscriptions, keepalive.thresholds.warning, …): there is no
//     label, so the token gets its default or is unmatched (reported);
//   - a string with non-ASCII characters: 1.x removed them before running
//     the check, the translation keeps them (reported);
//   - a string containing the text "<no value>": Sensu Go takes it for an
//     unmatched token (reported);
//   - a token naming an array, or a path through a key Flatten skipped
//     (empty or dotted keys): no label (not visible from the string: compare
//     the token paths, see Tokens, with Flatten's skipped paths);
//   - a token with more path after a scalar ("disk.warning.x" where
//     disk.warning is 75): 1.x gives the scalar, the translation looks up
//     the label "disk.warning.x" (not visible from the string).
//   - an attribute whose value contains "<no value>": Sensu Go takes the
//     rendered text for an unmatched token (not visible from the string).
//
// The tests hold Translate to this: the checks of every fixture set against
// every fixture client, a table of cases whose 1.x results come from running
// the Ruby code, and a fuzz test (FuzzTranslate).
package sensu1token

package resource

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseSelector(t *testing.T) {
	eq := func(k, v string) statement { return statement{key: k, op: "==", values: []string{v}} }
	tests := []struct {
		in   string
		want []statement
	}{
		{"", nil},
		{" \t\n", nil},
		{"env == prod", []statement{eq("env", "prod")}},
		{`region == "us-west-1"`, []statement{eq("region", "us-west-1")}},
		{`region == 'us-west-1'`, []statement{eq("region", "us-west-1")}},
		{`name == "it's"`, []statement{eq("name", "it's")}},
		{`entity.name == "1b04994n"`, []statement{eq("entity.name", "1b04994n")}},
		{`"my-label" == x`, []statement{eq("my-label", "x")}},
		{`x == ""`, []statement{eq("x", "")}},
		{"sensu.io/managed_by == sensuctl", []statement{eq("sensu.io/managed_by", "sensuctl")}},
		{"_0.a1/2 == v", []statement{eq("_0.a1/2", "v")}},
		{"env==prod", []statement{eq("env", "prod")}},
		{"env!=prod", []statement{{key: "env", op: "!=", values: []string{"prod"}}}},
		{"check.publish == TRUE", []statement{eq("check.publish", "true")}},
		{"check.publish != false", []statement{{key: "check.publish", op: "!=", values: []string{"false"}}}},
		{`check.name matches "linux-"`, []statement{{key: "check.name", op: "matches", values: []string{"linux-"}}}},
		{"check.name MATCHES linux", []statement{{key: "check.name", op: "matches", values: []string{"linux"}}}},
		{"tier in [frontend, api]", []statement{{key: "tier", op: "in", values: []string{"frontend", "api"}}}},
		{`tier notin ["a b",c,'d']`, []statement{{key: "tier", op: "notin", values: []string{"a b", "c", "d"}}}},
		{"tier In [x]", []statement{{key: "tier", op: "in", values: []string{"x"}}}},
		{"tier in [ x ]", []statement{{key: "tier", op: "in", values: []string{"x"}}}},
		{"linux in check.subscriptions", []statement{{key: "linux", op: "in", values: []string{"check.subscriptions"}, field: "check.subscriptions"}}},
		{`"entity:web-1" notin entity.subscriptions`, []statement{{key: "entity:web-1", op: "notin", values: []string{"entity.subscriptions"}, field: "entity.subscriptions"}}},
		{`team == "web" && tier in [frontend, api]`, []statement{eq("team", "web"), {key: "tier", op: "in", values: []string{"frontend", "api"}}}},
		{"a == b&&c == d", []statement{eq("a", "b"), eq("c", "d")}},
		{`"my sub" in check.subscriptions && check.publish == true`, []statement{
			{key: "my sub", op: "in", values: []string{"check.subscriptions"}, field: "check.subscriptions"}, eq("check.publish", "true")}},
	}
	for _, tt := range tests {
		for _, parse := range []func(string) (Selector, error){ParseLabelSelector, ParseFieldSelector} {
			sel, err := parse(tt.in)
			if err != nil {
				t.Errorf("parse %q: %v", tt.in, err)
				continue
			}
			if !reflect.DeepEqual(sel.statements, tt.want) {
				t.Errorf("parse %q:\n got %+v\nwant %+v", tt.in, sel.statements, tt.want)
			}
			if sel.Empty() != (len(tt.want) == 0) {
				t.Errorf("parse %q: Empty() = %v", tt.in, sel.Empty())
			}
		}
	}
}

// Every refusal names the selector and the offending part, says why, and
// shows Sensu Go's syntax with an example.
func TestParseSelectorErrors(t *testing.T) {
	tests := []struct {
		in, at, reason string
	}{
		// Kubernetes' syntax, which the earlier sensuctl read.
		{"env=prod", "=prod", "a single = is not an operator"},
		{"env = prod", "=", "a single = is not an operator"},
		{"tier in (a,b)", "(a,b)", "lists go in square brackets"},
		{"!legacy", "!legacy", "cannot test whether a key is set"},
		{"env == prod, tier == web", ",", "joined with &&, not commas"},
		{"env == prod,tier == web", ",tier", "joined with &&, not commas"},
		{"env", "env", "has no operator"},
		{"env in prod)", ")", "square brackets"},
		// Sensu Go's syntax, written wrong.
		{`region == us-west-1`, "us-west-1", `quote it: "us-west-1"`},
		{`entity.name == 1b04994n`, "1b04994n", "starts with a letter or _"},
		{"a. == b", "a.", "a letter or _ after each dot"},
		{"a.1 == b", "a.1", "a letter or _ after each dot"},
		{"a == b &&", "&&", "a statement must follow &&"},
		{"&& a == b", "&&", "a statement starts with a key"},
		{"a == b & c == d", "&", "join statements with &&"},
		{"a == b || c == d", "||", "no OR"},
		{"a == b c == d", "c", "expected && or the end"},
		{"a ==", "", "expected a value after =="},
		{"a == [b]", "[", "expected a value after =="},
		{"a == in", "in", "keyword; quote it"},
		{"in == a", "in", "keyword; quote it"},
		{"true == a", "true", "keyword; quote it"},
		{"a maybein [b]", "maybein", "expected an operator"},
		{"a in", "", "needs a list [a, b] or a field"},
		{`a in "b"`, `"b"`, "a field name (unquoted)"},
		{"a in []", "]", "needs a value"},
		{"a in [b", "", "not closed with ]"},
		{"a in [b c]", "c", "separate the values of a list with commas"},
		{"a in [b,,c]", ",c]", "expected a value in the list"},
		{"a in [b,]", "]", "needs a value"},
		{`a == "b`, `"b`, "the string is not closed"},
		{`a == 'b"`, `'b"`, "the string is not closed"},
		{"a < b", "<", "unexpected"},
	}
	for _, tt := range tests {
		_, err := ParseLabelSelector(tt.in)
		var se *SelectorError
		if !errors.As(err, &se) {
			t.Errorf("ParseLabelSelector(%q): %v, want a *SelectorError", tt.in, err)
			continue
		}
		if se.At != tt.at || !strings.Contains(se.Reason, tt.reason) || se.Selector != tt.in || se.Kind != "label" {
			t.Errorf("ParseLabelSelector(%q): at %q reason %q, want at %q reason containing %q", tt.in, se.At, se.Reason, tt.at, tt.reason)
		}
		msg := err.Error()
		for _, want := range []string{`label selector "` + strings.ReplaceAll(tt.in, `"`, `\"`) + `"`,
			`use Sensu Go's syntax: key == value, key != value, key in [a, b], key notin [a, b], key matches "text", joined with &&`,
			`e.g. 'env == "prod" && tier in [web, db]'`} {
			if !strings.Contains(msg, want) {
				t.Errorf("ParseLabelSelector(%q): %q does not contain %q", tt.in, msg, want)
			}
		}
	}
	_, err := ParseFieldSelector("check.name = web")
	if err == nil || !strings.HasPrefix(err.Error(), `field selector "check.name = web": at "=": a single = is not an operator: compare with ==; use Sensu Go's syntax`) ||
		!strings.Contains(err.Error(), "linux in check.subscriptions") {
		t.Errorf("field selector error: %v", err)
	}
	if _, err := ParseLabelSelector("a =="); err == nil || !strings.Contains(err.Error(), ": at the end: expected a value after ==;") {
		t.Errorf("error at the end: %v", err)
	}
}

func TestSelectorMatches(t *testing.T) {
	set := map[string]string{
		"env": "prod", "tier": "web", "sensu.io/managed_by": "sensuctl", "empty": "", "region": "us-west-1",
		"check.subscriptions": "linux,entity:web-1, windows", "check.publish": "true", "check.runtime_assets": "",
		"web": "x",
	}
	tests := []struct {
		sel   string
		match bool
	}{
		{"", true},
		{"env == prod", true},
		{`env == "prod"`, true},
		{"env == dev", false},
		{"env == Prod", false},
		{"missing == prod", false},
		{`empty == ""`, true},
		{`missing == ""`, false},
		{"env != dev", true},
		{"env != prod", false},
		{"missing != prod", true},
		{`region == "us-west-1"`, true},
		{"sensu.io/managed_by == sensuctl", true},
		{"check.publish == true", true},
		{"check.publish == TRUE", true},
		{"check.publish != true", false},
		{"env in [prod, dev]", true},
		{"env in [dev]", false},
		{"missing in [prod]", false},
		{"env notin [dev, qa]", true},
		{"env notin [prod]", false},
		{"missing notin [prod]", true},
		{`region matches "us-"`, true},
		{`region matches "eu-"`, false},
		{`region matches ""`, true},
		{`missing matches ""`, false},
		{`check.subscriptions matches "entity:"`, true},
		// value in field: the field's elements, split at commas and trimmed.
		{"linux in check.subscriptions", true},
		{"windows in check.subscriptions", true},
		{`"entity:web-1" in check.subscriptions`, true},
		{"lin in check.subscriptions", false},
		{"darwin in check.subscriptions", false},
		{"darwin notin check.subscriptions", true},
		{"linux notin check.subscriptions", false},
		{`"" in check.runtime_assets`, false},
		{"prod in env", true},
		{"dev in env", false},
		// No field of that name: key in [word], as Sensu Go reads it.
		{"env in prod", true},
		{"env in dev", false},
		{"env notin dev", true},
		{"env notin prod", false},
		{"missing in nothere", false},
		{"missing notin nothere", true},
		// In brackets, always a list (the label "web" is not looked at).
		{"tier in [web]", true},
		{"x in [web]", false},
		{`env == prod && tier in [web, db] && region matches us && linux in check.subscriptions`, true},
		{"env == prod && tier == db", false},
	}
	for _, tt := range tests {
		sel, err := ParseLabelSelector(tt.sel)
		if err != nil {
			t.Errorf("ParseLabelSelector(%q): %v", tt.sel, err)
			continue
		}
		if got := sel.Matches(set); got != tt.match {
			t.Errorf("%q matches: %v, want %v", tt.sel, got, tt.match)
		}
	}
	// Nothing set: only the negative statements hold.
	for sel, want := range map[string]bool{"a == b": false, "a != b": true, "a in [b]": false, "a notin [b]": true, "a matches b": false, "b in a": false, "b notin a": true, "": true} {
		s, err := ParseLabelSelector(sel)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Matches(nil); got != want {
			t.Errorf("%q on nil: %v, want %v", sel, got, want)
		}
	}
	if !(Selector{}).Matches(nil) {
		t.Error("the zero Selector does not match")
	}
}

// An event matches on its own labels, or on those of its entity and check
// together, as Sensu Go's API filters events.
func TestSelectorMatchesEventLabels(t *testing.T) {
	e := &Event{Entity: &Entity{}, Check: &Check{}}
	e.Metadata.Labels = map[string]string{"own": "yes"}
	e.Entity.Metadata.Labels = map[string]string{"region": "eu", "tier": "db"}
	e.Check.Metadata.Labels = map[string]string{"team": "web", "tier": "web"}
	for sel, want := range map[string]bool{
		"own == yes":                   true,
		"own == yes && team == web":    false, // one set or the other, as in Sensu Go
		"region == eu && team == web":  true,
		"tier == web":                  true, // the check's label wins
		"tier == db":                   false,
		"region == us":                 false,
		"own == yes && region == eu":   false,
		"own == no":                    false,
		"missing != x && region == eu": true,
	} {
		s, err := ParseLabelSelector(sel)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.MatchesLabels(e); got != want {
			t.Errorf("%q: %v, want %v", sel, got, want)
		}
	}
	c := &CheckConfig{}
	c.Metadata.Labels = map[string]string{"team": "web"}
	if s, _ := ParseLabelSelector("team == web"); !s.MatchesLabels(c) {
		t.Error("check labels do not match")
	}
	if s, _ := ParseLabelSelector("team == db"); s.MatchesLabels(c) {
		t.Error("check labels match the wrong value")
	}
	if s, _ := ParseLabelSelector("team == db"); s.MatchesLabels(&Event{}) {
		t.Error("an event without entity or check matches")
	}
}

// Field selectors match the fields core/v2 computes from the stored JSON.
func TestFieldSelectorOnCoreFields(t *testing.T) {
	checks := mustLookup("checks")
	c := &CheckConfig{}
	c.Metadata = ObjectMeta{Name: "web-http", Namespace: "default", Labels: map[string]string{"team": "web"}}
	c.Command, c.Interval, c.Subscriptions, c.Handlers, c.Publish = "check-http", 60, []string{"linux", "web"}, []string{"slack"}, true
	value, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := CoreFields(checks, value)
	if err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]bool{
		"check.name == web-http":                           false, // a bare word cannot have "-"
		`check.name == "web-http"`:                         true,
		`check.name matches "web"`:                         true,
		"linux in check.subscriptions":                     true,
		"windows in check.subscriptions":                   false,
		"slack in check.handlers && check.publish == true": true,
		"check.labels.team == web":                         true,
		"check.namespace in [default, ops]":                true,
		"check.round_robin == true":                        false,
	} {
		s, err := ParseFieldSelector(sel)
		if err != nil {
			if sel == "check.name == web-http" {
				continue
			}
			t.Fatal(err)
		}
		if err := s.CheckFields(checks); err != nil {
			t.Errorf("%q: %v", sel, err)
		}
		if got := s.Matches(fields); got != want {
			t.Errorf("%q on %v: %v, want %v", sel, fields, got, want)
		}
	}
}

func TestFieldNames(t *testing.T) {
	tests := []struct {
		typ         string
		has         []string
		labelPrefix string
	}{
		{"checks", []string{"check.name", "check.namespace", "check.subscriptions", "check.handlers", "check.publish"}, "check.labels."},
		{"entities", []string{"entity.name", "entity.entity_class", "entity.subscriptions"}, "entity.labels."},
		{"events", []string{"event.name", "event.check.status", "event.check.name", "event.entity.name", "event.entity.subscriptions"}, "event.labels."},
		{"users", []string{"user.username", "user.disabled", "user.groups"}, ""},
		{"namespaces", []string{"namespace.name"}, ""},
		{"silenced", []string{"silenced.name", "silenced.subscription", "silenced.check"}, "silenced.labels."},
		{"tessen", nil, ""},
	}
	for _, tt := range tests {
		names, prefix, err := FieldNames(mustLookup(tt.typ))
		if err != nil {
			t.Errorf("%s: %v", tt.typ, err)
			continue
		}
		for _, h := range tt.has {
			if !slices.Contains(names, h) {
				t.Errorf("%s: %v lacks %s", tt.typ, names, h)
			}
		}
		if prefix != tt.labelPrefix || !slices.IsSorted(names) || tt.has == nil && len(names) != 0 {
			t.Errorf("%s: %v, label prefix %q, want %q", tt.typ, names, prefix, tt.labelPrefix)
		}
	}
	for _, typ := range All {
		if _, _, err := FieldNames(typ); err != nil {
			t.Errorf("%s: %v", typ.Kind, err)
		}
	}
}

func TestCheckFields(t *testing.T) {
	checks, tessen, users := mustLookup("checks"), mustLookup("tessen"), mustLookup("users")
	tests := []struct {
		typ  *Type
		sel  string
		want string // "" for accepted
	}{
		{checks, "", ""},
		{checks, "check.name == x", ""},
		{checks, "check.labels.team == web", ""},
		{checks, "linux in check.subscriptions", ""},
		{checks, "check.name in web", ""}, // no field "web": check.name in [web]
		{checks, "check.nmae == x", `field selector "check.nmae == x": "check.nmae" is not a field of checks: its fields are check.handlers, check.name,`},
		{checks, `"check.labels." == x`, `"check.labels." is not a field of checks`},
		{checks, "linux in check.subscription", `neither "linux" nor "check.subscription" is a field of checks`},
		{checks, "entity.name == x", `, check.labels.KEY`},
		{users, "user.labels.x == y", `"user.labels.x" is not a field of users: its fields are user.disabled, user.groups, user.username`},
		{tessen, "tessen.opt_out == true", `"tessen.opt_out" is not a field of tessen: it has none`},
	}
	for _, tt := range tests {
		s, err := ParseFieldSelector(tt.sel)
		if err != nil {
			t.Fatal(err)
		}
		err = s.CheckFields(tt.typ)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.sel, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want %q", tt.sel, err, tt.want)
		}
	}
}

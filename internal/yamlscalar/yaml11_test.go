package yamlscalar

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestNeedsQuote(t *testing.T) {
	tests := []struct {
		s    string
		want bool
		why  string
	}{
		// null
		{"", true, "1.1 and 1.2 null"},
		{"~", true, "null"},
		{"null", true, "null"}, {"Null", true, "null"}, {"NULL", true, "null"}, {"nULL", true, "Psych: null in any case"},
		// bool
		{"y", true, "1.1 bool"}, {"Y", true, "1.1 bool"}, {"n", true, "1.1 bool"}, {"N", true, "1.1 bool"},
		{"yes", true, "1.1 bool"}, {"Yes", true, "1.1 bool"}, {"YES", true, "1.1 bool"}, {"yEs", true, "Psych: any case"},
		{"no", true, "1.1 bool"}, {"No", true, "1.1 bool"}, {"NO", true, "1.1 bool"},
		{"true", true, "bool"}, {"True", true, "bool"}, {"TRUE", true, "bool"},
		{"false", true, "bool"}, {"False", true, "bool"}, {"FALSE", true, "bool"},
		{"on", true, "1.1 bool"}, {"On", true, "1.1 bool"}, {"ON", true, "1.1 bool"},
		{"off", true, "1.1 bool"}, {"Off", true, "1.1 bool"}, {"OFF", true, "1.1 bool"},
		{"yess", false, ""}, {"nope", false, ""}, {"ok", false, ""}, {"o", false, ""}, {"truely", false, ""},
		// int
		{"0", true, "int"}, {"685230", true, "int"}, {"+685_230", true, "1.1 int with _"}, {"-1", true, "int"},
		{"02472256", true, "1.1 octal"}, {"0_7", true, "1.1 octal"}, {"08", true, "1.2 int (yaml.v3), not 1.1"},
		{"0x_0A_74_AE", true, "1.1 hex"}, {"0x1f", true, "hex"}, {"0x", false, "no digit"}, {"0x_", true, "1.1 hex"},
		{"0b1010_0111_0100_1010_1110", true, "1.1 binary"}, {"0o17", true, "1.2 octal"},
		{"190:20:30", true, "1.1 base 60 int"}, {"1:20", true, "1.1 base 60 int (80)"},
		{"52:54:00:12:34:56", true, "a MAC that is a 1.1 base 60 int"}, {"00:11:22:33:44:55", true, "go-yaml v2 and Psych: base 60 from 0"},
		{"09:30", true, "base 60 from 0"}, {"12:60", false, "60 is no base-60 digit"}, {"1:2:3:", false, ""},
		{"7e:56:74:f3:82:df", false, "letters: no 1.1 int"}, {"52:54:00:12:34:5f", false, "letters"},
		{"1,000", true, "Psych: comma separators"}, {"1,2,3", true, "Psych reads 123"}, {"0,1", true, "Psych octal"},
		{"1,", false, "no digit after the comma"}, {"1,,2", false, ""}, {"1_", true, "1.1 int 1"},
		// float
		{"1.5", true, "float"}, {"-1.5", true, "float"}, {".5", true, "float"}, {"1.", true, "float"},
		{"6.8523015e+5", true, "float"}, {"685.230_15e+03", true, "1.1 float"}, {"685_230.15", true, "1.1 float"},
		{"1e3", true, "1.2 float, not 1.1"}, {"1.0e3", true, "1.2 float"}, {"190:20:30.15", true, "1.1 base 60 float"},
		{".inf", true, "float"}, {"-.inf", true, "float"}, {"+.Inf", true, "float"}, {".INF", true, "float"},
		{".NaN", true, "float"}, {".nan", true, "float"}, {".NAN", true, "float"}, {".nAn", true, "Psych: any case"},
		{"+.nan", false, "no reader takes a sign on NaN"}, {"NaN", false, ""}, {"inf", false, ""}, {"Infinity", false, ""},
		{".", true, "the 1.1 float regexp matches a bare point"}, {"1,000.5", true, "Psych float"},
		{"22.04", true, "float"}, {"12.11", true, "float"}, {"0.0", true, "float"},
		// timestamps
		{"2001-12-14", true, "1.1 date"}, {"2002-12-14", true, "1.1 date"},
		{"2001-12-15T02:59:43.1Z", true, "1.1 timestamp"}, {"2001-12-14t21:59:43.10-05:00", true, "1.1 timestamp"},
		{"2001-12-14 21:59:43.10 -5", true, "1.1 timestamp"}, {"2001-12-15 2:59:43.10", true, "1.1 timestamp"},
		{"2001-1-2", true, "any dddd- prefix"}, {"-2001-12-14 21:59:43", true, "Psych: a sign on the year"},
		// merge and value keys
		{"<<", true, "1.1 merge"}, {"=", true, "1.1 value"}, {"<", false, ""}, {"<<<", false, ""}, {"==", false, ""},
		// strings every reader takes as strings
		{"127.0.0.1", false, "IPv4"}, {"10.0.0.5/24", false, "CIDR"}, {"1.2.3", false, "version"},
		{"6.12.0", false, "version"}, {"5.15.0-91-generic", false, "kernel"}, {"fe80::1", false, "IPv6"},
		{"::1", false, "IPv6"}, {"1.2.3.4:8080", false, ""}, {"1:2:3", true, "base 60 with two colons"},
		{"web-01", false, ""}, {"check-cpu", false, ""}, {"x86_64", false, ""}, {"1a", false, ""},
		{"0755x", false, ""}, {"1e", false, ""}, {"1e+", false, ""}, {"1.e", false, ""}, {"1_000a", false, ""},
		{"+", false, ""}, {"-", false, ""}, {"yes please", false, ""}, {"a", false, ""}, {"/", false, ""},
		{"52-54-00-12-34-56", false, "MAC with dashes"}, {"1-2", false, ""}, {"123-4567", false, ""},
	}
	for _, tt := range tests {
		if got := NeedsQuote(tt.s); got != tt.want {
			t.Errorf("NeedsQuote(%q) = %v, want %v (%s)", tt.s, got, tt.want, tt.why)
		}
		if got, want := NeedsQuote(tt.s), reference(tt.s); got != want {
			t.Errorf("NeedsQuote(%q) = %v, the regular expressions say %v", tt.s, got, want)
		}
	}
}

// The rules of the readers, as regular expressions: NeedsQuote must agree
// with them exactly.
var (
	// The YAML 1.1 type repository, yaml.org/type/{bool,null,int,float,
	// timestamp,merge,value}.html. The base-10 float there has [0-9.]*
	// after the point; every reader has [0-9_]* or [0-9]* (see NeedsQuote).
	// The timestamp's zone is the union of the two drafts' regexps.
	spec11 = []string{
		`^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`,
		`^(?:~|null|Null|NULL|)$`,
		`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`,
		`^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`,
		`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`,
		`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:(?:[ \t]*)Z|[-+][0-9][0-9]?(?::[0-9][0-9])?)?)$`,
		`^<<$`,
		`^=$`,
	}
	// PyYAML 6's resolver (yaml/resolver.py), where it differs.
	pyyaml = []string{
		`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`,
	}
	// go-yaml v2's writer quotes these (encode.go, isBase60Float).
	goyamlv2 = []string{
		`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`,
	}
	// Ruby's Psych (lib/psych/scalar_scanner.rb, legacy integers, the
	// default).
	psych = []string{
		`^(?i:yes|true|on|no|false|off|null)$`,
		`^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t]+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$`,
		`^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$`,
		`^(?i:\+?\.inf|-\.inf|\.nan)$`,
		`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$`,
		`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$`,
		`^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$`,
		`^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$`,
	}
	// What NeedsQuote adds on purpose: every date and time form starts
	// with four digits and '-', and one rule for all of them is cheaper.
	coarse = []string{`^-?[0-9]{4}-`}

	referenceRE = func() []*regexp.Regexp {
		var res []*regexp.Regexp
		for _, list := range [][]string{spec11, pyyaml, goyamlv2, psych, coarse} {
			for _, s := range list {
				res = append(res, regexp.MustCompile(s))
			}
		}
		return res
	}()
)

// reference is NeedsQuote by regular expressions: the 1.1 readers' rules
// above, and yaml.v3's: its words are among the 1.1 ones, and its numbers
// are MayBeNumberOrTime of what starts as a number can (yaml.v3 reads _1 as
// a string, without asking).
func reference(s string) bool {
	for _, re := range referenceRE {
		if re.MatchString(s) {
			return true
		}
	}
	return s != "" && strings.IndexByte("0123456789+-.", s[0]) >= 0 && MayBeNumberOrTime(s)
}

// NeedsQuote agrees with the regular expressions on every short string over
// the characters that matter, and on many longer ones built from pieces.
func TestNeedsQuoteMatchesRegexps(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := NeedsQuote(s), reference(s); got != want {
			t.Errorf("NeedsQuote(%q) = %v, the regular expressions say %v", s, got, want)
		}
	}
	var all func(prefix string, alphabet string, n int)
	all = func(prefix, alphabet string, n int) {
		check(prefix)
		if n == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			all(prefix+alphabet[i:i+1], alphabet, n-1)
		}
	}
	all("", "0159_,.:+-eExbTZ ", 4)
	all("", "019_,.:+-e", 5)
	all("", "yYnNoOtTrRuUeEfFaAlLsS~<=", 3)
	all("", "0_+-.bBoOxXg/:", 4)

	pieces := []string{"0", "1", "5", "6", "7", "9", "00", "12", "59", "60", "2001", "_", ",", ".", ":", "+", "-",
		"e", "E", "e+", "e-", "x", "b", "0x", "0b", "0o", "a", "F", "inf", "Inf", "nan", "NaN", "T", "t", " ", "\t",
		"Z", "o", "O", "B", "X", "/", "g", "2001-12-14", "21:59:43", ".10", " -5", "-05:00", "+0530", "yes", "No", "oN", "null", "true", "<<", "="}
	r := rand.New(rand.NewPCG(1, 2))
	n := 50000
	if testing.Short() {
		n = 5000
	}
	for range n {
		var b strings.Builder
		for k := 1 + r.IntN(7); k > 0; k-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		check(b.String())
	}
}

// NeedsQuote keeps MayBeNumberOrTime's answers: it only adds to them.
func TestNeedsQuoteCoversMayBeNumberOrTime(t *testing.T) {
	for _, s := range []string{"1", "0x1f", "0o17", "0b101", "1_000", "1e3", ".5", "2006-01-02", ".inf", "-.inf", "1.", "-0b1", "+0o7"} {
		if !MayBeNumberOrTime(s) || !NeedsQuote(s) {
			t.Errorf("%q: MayBeNumberOrTime %v, NeedsQuote %v", s, MayBeNumberOrTime(s), NeedsQuote(s))
		}
	}
}

var benchStrings = []string{
	"check-cpu", "web-01", "default", "sensu.io/managed_by", "sensuctl", "linux", "amd64", "x86_64",
	"10.0.0.5/24", "127.0.0.1", "fe80::1/64", "52:54:00:12:34:56", "7e:56:74:f3:82:df", "6.12.0", "22.04",
	"5.15.0-91-generic", "ubuntu", "debian", "true", "no", "/usr/bin/check-cpu.sh -w 75 -c 90", "60",
}

func BenchmarkNeedsQuote(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range benchStrings {
			NeedsQuote(s)
		}
	}
}

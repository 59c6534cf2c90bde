package sensu1config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMerge reads two config files and merges them as Load does. Whatever
// the input: no panic; a refused file is a ParseError placed inside the
// file; after the merge every scalar of the second file is at its path (the
// last file wins), every key of the first is still there, and the merge
// gives the same settings and warnings twice.
func FuzzMerge(f *testing.F) {
	f.Add([]byte(`{"checks":{"cpu":{"command":"check-cpu.rb","interval":60,"subscribers":["linux"]}}}`),
		[]byte(`{"checks":{"cpu":{"interval":30,"subscribers":["linux","web"]}},"client":{"name":"web-01"}}`))
	f.Add([]byte("\xef\xbb\xbf {\"a\": 1}\n"), []byte(`{"a": {"b": [1, 1, 2]}}`))
	f.Add([]byte(`{"a": 1} {"b": 2}`), []byte(`[1, 2]`))
	f.Add([]byte(`{"a": "\ud800"}`), []byte("{\"a\":\n  nope}"))
	f.Add([]byte(`{"n": 1e400, "m": -0, "o": 12345678901234567890}`), []byte(`{"n": 1.0, "m": 0}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		merge := func() (*loader, error) {
			l := &loader{s: &Settings{Data: map[string]any{}, origin: map[string]string{}}}
			for i, data := range [][]byte{a, b} {
				file := []string{"a.json", "b.json"}[i]
				if err := l.merge(file, append([]byte(nil), data...)); err != nil {
					var pe *ParseError
					if !errors.As(err, &pe) || pe.File != file {
						t.Fatalf("%s: %v is not a ParseError of the file", file, err)
					}
					if lines := strings.Count(string(data), "\n") + 1; pe.Line < 0 || pe.Line > lines {
						t.Fatalf("%s: error at line %d of a %d-line file: %v", file, pe.Line, lines, err)
					}
					if pe.Line > 0 && utf8.Valid(data) {
						line := strings.Split(string(data), "\n")[pe.Line-1]
						if pe.Column < 1 || pe.Column > utf8.RuneCountInString(line)+1 {
							t.Fatalf("%s: column %d on a line of %d characters: %v", file, pe.Column, utf8.RuneCountInString(line), err)
						}
					}
					return nil, err
				}
			}
			return l, nil
		}
		first, err := merge()
		if err != nil {
			return
		}
		second, _ := merge()
		if !reflect.DeepEqual(first.s.Data, second.s.Data) || !reflect.DeepEqual(first.warnings, second.warnings) {
			t.Fatal("the same files merge differently twice")
		}
		pa, _ := parse("a.json", append([]byte(nil), a...))
		pb, _ := parse("b.json", append([]byte(nil), b...))
		checkKeys(t, first.s.Data, pa, nil)
		checkScalars(t, first.s.Data, pb, nil)
	})
}

// checkKeys: every key path of src is in got.
func checkKeys(t *testing.T, got, src map[string]any, path []string) {
	for k, v := range src {
		gv, ok := got[k]
		if !ok {
			t.Fatalf("%v: key of the first file lost", append(path, k))
		}
		if sm, ok := v.(map[string]any); ok {
			if gm, ok := gv.(map[string]any); ok {
				checkKeys(t, gm, sm, append(path, k))
			}
		}
	}
}

// checkScalars: every scalar of src (the last file) is in got as src has it.
func checkScalars(t *testing.T, got, src map[string]any, path []string) {
	for k, v := range src {
		gv := got[k]
		switch sv := v.(type) {
		case map[string]any:
			if gm, ok := gv.(map[string]any); ok {
				checkScalars(t, gm, sv, append(path, k))
			} else {
				t.Fatalf("%v: an object of the last file became %T", append(path, k), gv)
			}
		case []any:
			if _, ok := gv.([]any); !ok {
				t.Fatalf("%v: an array of the last file became %T", append(path, k), gv)
			}
		default:
			if !reflect.DeepEqual(gv, v) {
				t.Fatalf("%v: the last file's %v became %v", append(path, k), v, gv)
			}
		}
	}
}

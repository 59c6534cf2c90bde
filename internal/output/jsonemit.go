package output

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// AppendJSON appends v as encoding/json would write it with SetIndent("",
// "  ") and SetEscapeHTML(false), byte for byte, for the values AppendYAML
// supports (maps come out with sorted keys, OrderedMap in its order). It
// skips reflection, which makes wrapped-json dumps about twice as fast.
// Other values go through encoding/json.
func AppendJSON(dst []byte, v any, indent int) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendJSONString(dst, t), nil
	case json.Number:
		return append(dst, t...), nil
	case bool:
		return strconv.AppendBool(dst, t), nil
	case OrderedMap:
		if len(t) == 0 {
			return append(dst, "{}"...), nil
		}
		dst = append(dst, '{')
		for i, kv := range t {
			var err error
			if dst, err = appendJSONMember(dst, i, kv.Key, kv.Value, indent); err != nil {
				return dst, err
			}
		}
		return appendClose(dst, '}', indent), nil
	case map[string]any:
		if len(t) == 0 {
			return append(dst, "{}"...), nil
		}
		dst = append(dst, '{')
		for i, k := range sortedMapKeys(t) {
			var err error
			if dst, err = appendJSONMember(dst, i, k, t[k], indent); err != nil {
				return dst, err
			}
		}
		return appendClose(dst, '}', indent), nil
	case map[string]string:
		if len(t) == 0 {
			return append(dst, "{}"...), nil
		}
		dst = append(dst, '{')
		for i, k := range sortedMapKeys(t) {
			dst, _ = appendJSONMember(dst, i, k, t[k], indent)
		}
		return appendClose(dst, '}', indent), nil
	case []any:
		if len(t) == 0 {
			return append(dst, "[]"...), nil
		}
		dst = append(dst, '[')
		for i, item := range t {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendNewline(dst, indent+1)
			var err error
			if dst, err = AppendJSON(dst, item, indent+1); err != nil {
				return dst, err
			}
		}
		return appendClose(dst, ']', indent), nil
	}
	b, err := marshalNoHTML(v, true)
	if err != nil {
		return dst, err
	}
	return appendReindented(dst, b, indent), nil
}

// marshalNoHTML is json.Marshal (or MarshalIndent with two spaces) without
// HTML escaping.
func marshalNoHTML(v any, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

func appendJSONMember(dst []byte, i int, key string, v any, indent int) ([]byte, error) {
	if i > 0 {
		dst = append(dst, ',')
	}
	dst = appendNewline(dst, indent+1)
	dst = appendJSONString(dst, key)
	dst = append(dst, ": "...)
	return AppendJSON(dst, v, indent+1)
}

func appendNewline(dst []byte, indent int) []byte {
	dst = append(dst, '\n')
	for range indent {
		dst = append(dst, "  "...)
	}
	return dst
}

func appendClose(dst []byte, c byte, indent int) []byte {
	return append(appendNewline(dst, indent), c)
}

// appendReindented shifts a value indented from column 0 to indent.
func appendReindented(dst, b []byte, indent int) []byte {
	for _, c := range b {
		dst = append(dst, c)
		if c == '\n' {
			for range indent {
				dst = append(dst, "  "...)
			}
		}
	}
	return dst
}

// appendJSONString writes plain ASCII directly and leaves every other
// string to encoding/json, so the escaping is exactly its own.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			b, _ := marshalNoHTML(s, false)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

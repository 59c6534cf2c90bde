package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// writeYAML writes v as YAML with a 2-space indent.
//
// YAML is produced from the JSON encoding of v rather than by marshalling v
// with yaml.v3 directly. That way json tags, omitempty and custom
// MarshalJSON methods apply to both formats, the two formats always carry
// the same fields and values, keys keep their JSON (struct) order, strings
// that merely look like numbers or booleans stay strings, and numbers keep
// their exact JSON text (a uint64 above 2^53 is not rounded through
// float64).
func writeYAML(w io.Writer, v any) error {
	if v == nil {
		return errNoValue
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	node, err := jsonToNode(dec)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return err
	}
	return enc.Close()
}

// jsonToNode reads one JSON value from dec and returns it as a yaml.v3 node.
// Mapping nodes keep keys in the order they were read.
func jsonToNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := key.(string)
				if !ok {
					return nil, fmt.Errorf("output: unexpected JSON object key %v", key)
				}
				val, err := jsonToNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, stringNode(k), val)
			}
			_, err := dec.Token() // '}'
			return n, err
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for dec.More() {
				val, err := jsonToNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, val)
			}
			_, err := dec.Token() // ']'
			return n, err
		}
	case string:
		return stringNode(t), nil
	case json.Number:
		// Every JSON number literal is a plain YAML int or float, so no
		// tag is needed; the literal text is kept as is.
		return &yaml.Node{Kind: yaml.ScalarNode, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("output: unexpected JSON token %v", tok)
}

// stringNode returns a scalar node for a JSON string. The !!str tag makes
// yaml.v3 quote values such as "true", "0123", "1e10", "null" and "" that
// would otherwise read back as another type.
func stringNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// nodeJSON writes a YAML node as JSON, so that the resource types decode
// YAML and JSON input the same way (json tags, types). Scalars keep the type
// YAML resolved them to: a quoted "60" stays a string. Aliases are expanded
// within yaml.v3's own limit, so that a few hundred bytes of nested aliases
// (a "billion laughs") are refused instead of filling memory.
func nodeJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	return (&jsonConverter{buf: buf}).node(n, depth)
}

// jsonConverter counts nodes as yaml.v3's decoder does when it decodes
// into Go values: every node written, and those written inside an alias.
type jsonConverter struct {
	buf                                 *bytes.Buffer
	decodeCount, aliasCount, aliasDepth int
}

// allowedAliasRatio is yaml.v3's: up to 99% of the nodes may come from
// aliases in documents of up to 400,000 nodes, falling to 10% at 4,000,000.
func allowedAliasRatio(decodeCount int) float64 {
	const low, high = 400000, 4000000
	switch {
	case decodeCount <= low:
		return 0.99
	case decodeCount >= high:
		return 0.10
	}
	return 0.99 - 0.89*(float64(decodeCount-low)/float64(high-low))
}

func (c *jsonConverter) node(n *yaml.Node, depth int) error {
	if depth > 64 {
		return fmt.Errorf("line %d: nested too deeply", n.Line)
	}
	c.decodeCount++
	if c.aliasDepth > 0 {
		c.aliasCount++
	}
	if c.aliasCount > 100 && c.decodeCount > 1000 && float64(c.aliasCount)/float64(c.decodeCount) > allowedAliasRatio(c.decodeCount) {
		return fmt.Errorf("line %d: the document expands too many aliases (%d of %d values come from aliases: yaml.v3's limit)", n.Line, c.aliasCount, c.decodeCount)
	}
	buf := c.buf
	switch n.Kind {
	case yaml.AliasNode:
		c.aliasDepth++
		defer func() { c.aliasDepth-- }()
		return c.node(n.Alias, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return c.node(n.Content[0], depth+1)
	case yaml.MappingNode:
		buf.WriteByte('{')
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a mapping key must be a plain value", k.Line)
			}
			if seen[k.Value] {
				return fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			seen[k.Value] = true
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, k.Value)
			buf.WriteByte(':')
			if err := c.node(n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := c.node(e, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return scalarJSON(buf, n)
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func scalarJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		buf.WriteString("null")
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			writeJSONString(buf, n.Value)
			return nil
		}
		buf.WriteString(strconv.FormatBool(b))
	case "!!int":
		v := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(v, 0, 64); err == nil {
			buf.WriteString(strconv.FormatInt(i, 10))
		} else if u, err := strconv.ParseUint(strings.TrimPrefix(v, "+"), 0, 64); err == nil {
			buf.WriteString(strconv.FormatUint(u, 10))
		} else {
			return fmt.Errorf("line %d: %q is not a whole number JSON can hold", n.Line, n.Value)
		}
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("line %d: %q is not a finite number", n.Line, n.Value)
		}
		buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	default: // !!str, !!timestamp, !!binary and custom tags stay text
		writeJSONString(buf, n.Value)
	}
	return nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	simple := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			simple = false
			break
		}
	}
	if simple {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	b, _ := json.Marshal(s)
	buf.Write(b)
}

// fieldLine finds the line of a dotted field path such as
// "spec.check_hooks[0].type" in a YAML mapping; 0 when not found.
func fieldLine(root *yaml.Node, path string) int {
	n := root
	line := 0
	for _, part := range strings.Split(path, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		var found *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				line = n.Content[i].Line
				found = n.Content[i+1]
				break
			}
		}
		if found == nil {
			return line
		}
		n = found
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

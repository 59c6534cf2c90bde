package sensu1redis

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// decodeObject decodes a value that must be one JSON object, keeping numbers
// as json.Number (1.x epochs and counters are integers; float64 would round
// large ones and print them as 1.7e+09).
func decodeObject(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case err == io.EOF:
			return nil, errors.New("empty value, expected a JSON object")
		case errors.As(err, &typeErr):
			return nil, fmt.Errorf("a JSON %s, expected a JSON object", typeErr.Value)
		case errors.As(err, &syntaxErr):
			return nil, fmt.Errorf("invalid JSON at byte %d: %v", syntaxErr.Offset, err)
		case err == io.ErrUnexpectedEOF:
			return nil, errors.New("invalid JSON: truncated")
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if m == nil {
		return nil, errors.New("JSON null, expected a JSON object")
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: data after the object at byte %d", end)
	}
	return m, nil
}

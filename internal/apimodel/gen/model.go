package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// model is the part of a Smithy-derived "service-2.json" API model that the
// generator reads. Documentation is deliberately not read: none of it is
// copied into the generated code.
type model struct {
	Metadata struct {
		TargetPrefix string `json:"targetPrefix"`
		Protocol     string `json:"protocol"`
	} `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type operation struct {
	Name   string    `json:"name"`
	Input  *shapeRef `json:"input"`
	Output *shapeRef `json:"output"`
	Errors []shapeRef
}

type shapeRef struct {
	Shape string `json:"shape"`
}

type shape struct {
	Name      string     `json:"-"`
	Type      string     `json:"type"`
	Members   members    `json:"members"`
	Required  []string   `json:"required"`
	Min       *int64     `json:"min"`
	Max       *int64     `json:"max"`
	Pattern   *string    `json:"pattern"`
	Enum      []string   `json:"enum"`
	Sensitive bool       `json:"sensitive"`
	Member    *shapeRef  `json:"member"`
	Key       *shapeRef  `json:"key"`
	Value     *shapeRef  `json:"value"`
	Exception bool       `json:"exception"`
	Fault     bool       `json:"fault"`
	Error     *errorInfo `json:"error"`
}

// errorInfo is an exception shape's "error" trait: the wire code when it is
// not the shape name, and the HTTP status when the model states one.
type errorInfo struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
}

// A member is one structure member, in model order.
type member struct {
	Name  string
	Shape string
}

// members keeps the model's member order, which fixes field order, the order
// validation errors are reported in, and the order of Java-style renderings.
type members []member

func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: want object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		var ref shapeRef
		if err := dec.Decode(&ref); err != nil {
			return fmt.Errorf("member %s: %w", name, err)
		}
		*ms = append(*ms, member{Name: name, Shape: ref.Shape})
	}
	_, err := dec.Token()
	return err
}

func loadModel(path string) (*model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for name, s := range m.Shapes {
		s.Name = name
	}
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
		if op.Input == nil {
			return nil, fmt.Errorf("operation %s has no input shape", name)
		}
	}
	return &m, nil
}

func (m *model) shape(name string) *shape {
	s, ok := m.Shapes[name]
	if !ok {
		panic(fmt.Sprintf("model refers to unknown shape %q", name))
	}
	return s
}

// sortedShapes returns the shapes of the given type, sorted by name.
func (m *model) sortedShapes(typ string) []*shape {
	var out []*shape
	for _, s := range m.Shapes {
		if typ == "" || s.Type == typ {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (m *model) sortedOperations() []*operation {
	var out []*operation
	for _, op := range m.Operations {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *shape) isRequired(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}

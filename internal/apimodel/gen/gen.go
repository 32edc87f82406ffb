package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// A generator holds the model and the names chosen for what it emits.
type generator struct {
	m         *model
	modelName string
	structs   []*shape          // structure shapes that are not exceptions, sorted by name
	errs      []*shape          // exception shapes, sorted by name: only their names and statuses are emitted
	patterns  map[string]string // model pattern -> Go variable of its compiled form
	patOrder  []string          // model patterns in the order their variables are declared
	translate map[string]goPattern
	checks    map[string]bool // structure name -> whether validation can fail anywhere inside
}

func newGenerator(m *model, modelName string) (*generator, error) {
	g := &generator{
		m:         m,
		modelName: modelName,
		patterns:  map[string]string{},
		translate: map[string]goPattern{},
		checks:    map[string]bool{},
	}
	for _, s := range m.sortedShapes("structure") {
		if s.Exception {
			g.errs = append(g.errs, s)
		} else {
			g.structs = append(g.structs, s)
		}
	}
	for _, s := range m.sortedShapes("string") {
		if s.Pattern == nil {
			continue
		}
		if _, ok := g.patterns[*s.Pattern]; ok {
			continue
		}
		gp, err := translatePattern(*s.Pattern)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", s.Name, err)
		}
		g.patterns[*s.Pattern] = "pattern" + s.Name
		g.patOrder = append(g.patOrder, *s.Pattern)
		g.translate[*s.Pattern] = gp
	}
	if err := g.checkSupported(); err != nil {
		return nil, err
	}
	return g, nil
}

// checkSupported fails on model features the emitted code does not handle,
// so a model update cannot silently lose a constraint.
func (g *generator) checkSupported() error {
	idents := map[string]string{}
	claim := func(id, what string) error {
		if prev, ok := idents[id]; ok {
			return fmt.Errorf("identifier %s used for both %s and %s", id, prev, what)
		}
		idents[id] = what
		return nil
	}
	for _, reserved := range []string{"Time", "Service", "Unimplemented", "Dispatch", "OperationNames", "OperationErrors"} {
		idents[reserved] = "hand-written code"
	}
	for _, s := range g.m.sortedShapes("") {
		switch s.Type {
		case "structure":
			if s.Exception {
				if err := g.checkException(s); err != nil {
					return err
				}
				continue
			}
			if err := claim(s.Name, "structure "+s.Name); err != nil {
				return err
			}
			for _, mem := range s.Members {
				if fieldName(mem.Name) == "Validate" {
					return fmt.Errorf("%s.%s collides with the Validate method", s.Name, mem.Name)
				}
				if err := g.checkMemberShape(g.m.shape(mem.Shape)); err != nil {
					return fmt.Errorf("%s.%s: %w", s.Name, mem.Name, err)
				}
			}
		case "string":
			for _, v := range s.Enum {
				if err := claim(enumConst(s.Name, v), "enum value "+s.Name+"."+v); err != nil {
					return err
				}
			}
		case "integer", "long", "boolean", "timestamp", "list", "map":
		default:
			return fmt.Errorf("shape %s: unsupported type %q", s.Name, s.Type)
		}
	}
	return nil
}

func (g *generator) checkMemberShape(t *shape) error {
	switch t.Type {
	case "list":
		e := g.m.shape(t.Member.Shape)
		if e.Type != "string" && e.Type != "structure" {
			return fmt.Errorf("list %s of %s is not supported", t.Name, e.Type)
		}
	case "map":
		k, v := g.m.shape(t.Key.Shape), g.m.shape(t.Value.Shape)
		if k.Type != "string" || v.Type != "string" {
			return fmt.Errorf("map %s of %s to %s is not supported", t.Name, k.Type, v.Type)
		}
	case "integer", "long":
		if t.Pattern != nil || t.Enum != nil {
			return fmt.Errorf("number %s with pattern or enum is not supported", t.Name)
		}
	case "boolean", "timestamp", "structure":
		if t.Min != nil || t.Max != nil {
			return fmt.Errorf("%s %s with min or max is not supported", t.Type, t.Name)
		}
	}
	return nil
}

// fieldName is the exported Go field for a member: the member name with its
// first letter upper-cased (a few ECS members are lower camel in the model).
func fieldName(member string) string {
	r := []rune(member)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// pathName is a member as AWS names it in validation messages: lower camel.
func pathName(member string) string {
	r := []rune(member)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// enumConst names an enum value: <Shape><Value in CamelCase>, splitting the
// value on '_', '-', '.', ' ' and ':'; an all-capitals part is title-cased.
func enumConst(shapeName, value string) string {
	parts := strings.FieldsFunc(value, func(r rune) bool {
		return r == '_' || r == '-' || r == '.' || r == ' ' || r == ':' || r == '/'
	})
	var b strings.Builder
	b.WriteString(shapeName)
	for _, p := range parts {
		r := []rune(p)
		if strings.ToUpper(p) == p {
			r = []rune(strings.ToLower(p))
		}
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// goType is the Go type of a structure member of shape t.
func (g *generator) goType(t *shape) string {
	switch t.Type {
	case "string":
		return "*string"
	case "integer", "long":
		return "*int64"
	case "boolean":
		return "*bool"
	case "timestamp":
		return "*Time"
	case "structure":
		return "*" + t.Name
	}
	return g.elemType(t)
}

// elemType is the Go type of t as a list element or map value.
func (g *generator) elemType(t *shape) string {
	switch t.Type {
	case "string":
		return "string"
	case "integer", "long":
		return "int64"
	case "boolean":
		return "bool"
	case "timestamp":
		return "Time"
	case "structure":
		return t.Name
	case "list":
		return "[]" + g.elemType(g.m.shape(t.Member.Shape))
	case "map":
		return "map[string]" + g.elemType(g.m.shape(t.Value.Shape))
	}
	panic("unreachable: " + t.Type)
}

// hasStringRule reports whether a string shape has anything to check or to
// hide (sensitive), and so gets a stringRule variable.
func hasStringRule(t *shape) bool {
	return t.Min != nil || t.Max != nil || t.Pattern != nil || len(t.Enum) > 0 || t.Sensitive
}

func stringRuleVar(t *shape) string { return "rule" + t.Name }

func hasIntRule(t *shape) bool { return t.Min != nil || t.Max != nil }

func intRuleVar(t *shape) string { return "rule" + t.Name }

func hasSizeRule(t *shape) bool { return t.Min != nil || t.Max != nil || t.Sensitive }

func sizeRuleVar(t *shape) string { return "rule" + t.Name }

// ruleRef is "&ruleX" when the shape has a rule, else "nil".
func ruleRef(has bool, name string) string {
	if has {
		return "&" + name
	}
	return "nil"
}

// memberConstraints is how AWS lists every constraint of a list element or
// map key/value shape inside "Member must satisfy constraint: [...]": length
// maximum, length minimum, pattern, enum.
func memberConstraints(t *shape) string {
	var cs []string
	if t.Max != nil {
		cs = append(cs, "Member must have length less than or equal to "+strconv.FormatInt(*t.Max, 10))
	}
	if t.Min != nil {
		cs = append(cs, "Member must have length greater than or equal to "+strconv.FormatInt(*t.Min, 10))
	}
	if t.Pattern != nil {
		cs = append(cs, "Member must satisfy regular expression pattern: "+*t.Pattern)
	}
	if len(t.Enum) > 0 {
		cs = append(cs, "Member must satisfy enum value set: ["+strings.Join(t.Enum, ", ")+"]")
	}
	return "[" + strings.Join(cs, ", ") + "]"
}

// structHasChecks reports whether validating s can ever fail, following
// nested structures; a cycle counts as "yes".
func (g *generator) structHasChecks(s *shape) bool {
	if v, ok := g.checks[s.Name]; ok {
		return v
	}
	g.checks[s.Name] = true // provisional, for cycles
	has := len(s.Required) > 0
	for _, mem := range s.Members {
		t := g.m.shape(mem.Shape)
		switch t.Type {
		case "string":
			has = has || t.Min != nil || t.Max != nil || t.Pattern != nil || len(t.Enum) > 0
		case "integer", "long":
			has = has || hasIntRule(t)
		case "structure":
			has = has || g.structHasChecks(t)
		case "list":
			e := g.m.shape(t.Member.Shape)
			has = has || t.Min != nil || t.Max != nil
			if e.Type == "structure" {
				has = has || g.structHasChecks(e)
			} else {
				has = has || hasStringRule(e) && !(e.Sensitive && e.Min == nil && e.Max == nil && e.Pattern == nil && len(e.Enum) == 0)
			}
		case "map":
			has = true
		}
	}
	g.checks[s.Name] = has
	return has
}

// usedShapes returns the names of shapes of the given type that some
// structure member refers to directly or as a list element or map key/value.
func (g *generator) usedShapes(typ string) []*shape {
	seen := map[string]bool{}
	var out []*shape
	add := func(name string) {
		t := g.m.shape(name)
		if t.Type == typ && !seen[name] {
			seen[name] = true
			out = append(out, t)
		}
	}
	for _, s := range g.structs {
		for _, mem := range s.Members {
			add(mem.Shape)
			t := g.m.shape(mem.Shape)
			switch t.Type {
			case "list":
				add(t.Member.Shape)
			case "map":
				add(t.Key.Shape)
				add(t.Value.Shape)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// emitShapes writes the enum constants and one Go struct per structure.
func (g *generator) emitShapes(w *bytes.Buffer) error {
	for _, s := range g.m.sortedShapes("string") {
		if len(s.Enum) == 0 {
			continue
		}
		fmt.Fprintf(w, "// Values of the enum %s, in model order.\nconst (\n", s.Name)
		for _, v := range s.Enum {
			fmt.Fprintf(w, "\t%s = %s\n", enumConst(s.Name, v), strconv.Quote(v))
		}
		fmt.Fprintf(w, ")\n\n")
	}
	for _, s := range g.structs {
		fmt.Fprintf(w, "// %s is the structure %s of the API model.\n", s.Name, s.Name)
		fmt.Fprintf(w, "type %s struct {\n", s.Name)
		for _, mem := range s.Members {
			t := g.m.shape(mem.Shape)
			comment := g.memberComment(s, mem, t)
			fmt.Fprintf(w, "\t%s %s `json:\"%s,omitempty\"`%s\n", fieldName(mem.Name), g.goType(t), mem.Name, comment)
		}
		fmt.Fprintf(w, "}\n\n")
	}
	return nil
}

// memberComment summarises a member's constraints (not the model's prose).
func (g *generator) memberComment(s *shape, mem member, t *shape) string {
	var parts []string
	if s.isRequired(mem.Name) {
		parts = append(parts, "required")
	}
	if t.Type != "structure" && t.Name != mem.Name {
		parts = append(parts, t.Name)
	}
	if t.Type == "list" || t.Type == "string" || t.Type == "map" || t.Type == "integer" || t.Type == "long" {
		switch {
		case t.Min != nil && t.Max != nil:
			parts = append(parts, fmt.Sprintf("%d..%d", *t.Min, *t.Max))
		case t.Min != nil:
			parts = append(parts, fmt.Sprintf(">= %d", *t.Min))
		case t.Max != nil:
			parts = append(parts, fmt.Sprintf("<= %d", *t.Max))
		}
	}
	if len(t.Enum) > 0 {
		parts = append(parts, "enum")
	}
	if t.Sensitive {
		parts = append(parts, "sensitive")
	}
	if len(parts) == 0 {
		return ""
	}
	return " // " + strings.Join(parts, ", ")
}

// emitValidate writes the compiled patterns, the constraint tables and the
// validate methods.
func (g *generator) emitValidate(w *bytes.Buffer) error {
	fmt.Fprintf(w, "import (\n\t\"regexp\"\n\t\"strings\"\n)\n\n")
	g.emitPatterns(w)
	fmt.Fprintf(w, "// Constraint tables, one per constrained shape. Read-only.\nvar (\n")
	g.emitStringRules(w)
	g.emitNumberAndSizeRules(w)
	fmt.Fprintf(w, ")\n\n")
	for _, s := range g.structs {
		fmt.Fprintf(w, "// Validate checks x against every constraint of the model, nested shapes\n")
		fmt.Fprintf(w, "// included. It returns nil or a ValidationException (*awserr.Error) listing\n// every violation the way AWS words them. A nil x is valid.\n")
		fmt.Fprintf(w, "func (x *%s) Validate() error {\n\tif x == nil {\n\t\treturn nil\n\t}\n\tvar v validator\n\tx.validate(&v, \"\")\n\treturn v.err()\n}\n\n", s.Name)
		fmt.Fprintf(w, "func (x *%s) validate(v *validator, path string) {\n", s.Name)
		if !g.structHasChecks(s) {
			fmt.Fprintf(w, "\t_, _ = v, path\n}\n\n")
			continue
		}
		for _, mem := range s.Members {
			g.emitMemberCheck(w, s, mem)
		}
		fmt.Fprintf(w, "}\n\n")
	}
	return nil
}

// emitPatterns declares one compiled regexp per distinct model pattern.
func (g *generator) emitPatterns(w *bytes.Buffer) {
	fmt.Fprintf(w, "// Model patterns translated to RE2 and anchored: see gen/regex.go.\nvar (\n")
	for _, p := range g.patOrder {
		gp := g.translate[p]
		fmt.Fprintf(w, "\t%s = regexp.MustCompile(%s)\n", g.patterns[p], strconv.Quote(gp.Match))
		if gp.NotMatch != "" {
			fmt.Fprintf(w, "\t%sNot = regexp.MustCompile(%s)\n", g.patterns[p], strconv.Quote(gp.NotMatch))
		}
	}
	fmt.Fprintf(w, ")\n\n")
}

func (g *generator) emitStringRules(w *bytes.Buffer) {
	for _, t := range g.usedShapes("string") {
		if !hasStringRule(t) {
			continue
		}
		fmt.Fprintf(w, "\t%s = stringRule{", stringRuleVar(t))
		fmt.Fprintf(w, "min: %d, max: %d", optInt(t.Min), optInt(t.Max))
		if t.Pattern != nil {
			v := g.patterns[*t.Pattern]
			fmt.Fprintf(w, ", pattern: %s, re: %s", strconv.Quote(*t.Pattern), v)
			if g.translate[*t.Pattern].NotMatch != "" {
				fmt.Fprintf(w, ", notRe: %sNot", v)
			}
		}
		if len(t.Enum) > 0 {
			var qs []string
			for _, e := range t.Enum {
				qs = append(qs, strconv.Quote(e))
			}
			fmt.Fprintf(w, ", enum: []string{%s}", strings.Join(qs, ", "))
		}
		if t.Sensitive {
			fmt.Fprintf(w, ", sensitive: true")
		}
		fmt.Fprintf(w, ", member: %s}\n", strconv.Quote(memberConstraints(t)))
	}
}

func (g *generator) emitNumberAndSizeRules(w *bytes.Buffer) {
	for _, typ := range []string{"integer", "long"} {
		for _, t := range g.usedShapes(typ) {
			if !hasIntRule(t) {
				continue
			}
			var fs []string
			if t.Min != nil {
				fs = append(fs, fmt.Sprintf("min: %d, hasMin: true", *t.Min))
			}
			if t.Max != nil {
				fs = append(fs, fmt.Sprintf("max: %d, hasMax: true", *t.Max))
			}
			fmt.Fprintf(w, "\t%s = intRule{%s}\n", intRuleVar(t), strings.Join(fs, ", "))
		}
	}
	for _, typ := range []string{"list", "map"} {
		for _, t := range g.usedShapes(typ) {
			if !hasSizeRule(t) {
				continue
			}
			fmt.Fprintf(w, "\t%s = sizeRule{min: %d, max: %d", sizeRuleVar(t), optInt(t.Min), optInt(t.Max))
			if t.Sensitive {
				fmt.Fprintf(w, ", sensitive: true")
			}
			fmt.Fprintf(w, "}\n")
		}
	}
}

func optInt(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func (g *generator) emitMemberCheck(w *bytes.Buffer, s *shape, mem member) {
	t := g.m.shape(mem.Shape)
	req := s.isRequired(mem.Name)
	f := "x." + fieldName(mem.Name)
	name := strconv.Quote(pathName(mem.Name))
	switch t.Type {
	case "string":
		if !hasStringRule(t) && !req {
			return
		}
		fmt.Fprintf(w, "\tv.checkString(path, %s, %s, %t, %s)\n", name, f, req, ruleRef(hasStringRule(t), stringRuleVar(t)))
	case "integer", "long":
		if !hasIntRule(t) && !req {
			return
		}
		fmt.Fprintf(w, "\tv.checkInt(path, %s, %s, %t, %s)\n", name, f, req, ruleRef(hasIntRule(t), intRuleVar(t)))
	case "boolean", "timestamp":
		if req {
			fmt.Fprintf(w, "\tv.checkPresent(path, %s, %s != nil)\n", name, f)
		}
	case "structure":
		switch {
		case g.structHasChecks(t):
			fmt.Fprintf(w, "\tif %s != nil {\n\t\t%s.validate(v, join(path, %s))\n\t}", f, f, name)
			if req {
				fmt.Fprintf(w, " else {\n\t\tv.checkPresent(path, %s, false)\n\t}", name)
			}
			fmt.Fprintf(w, "\n")
		case req:
			fmt.Fprintf(w, "\tv.checkPresent(path, %s, %s != nil)\n", name, f)
		}
	case "list":
		g.emitListCheck(w, t, f, name, req)
	case "map":
		k, val := g.m.shape(t.Key.Shape), g.m.shape(t.Value.Shape)
		fmt.Fprintf(w, "\tv.checkStringMap(path, %s, %s, %t, %s, %s, %s)\n", name, f, req,
			ruleRef(hasSizeRule(t), sizeRuleVar(t)), ruleRef(hasStringRule(k), stringRuleVar(k)), ruleRef(hasStringRule(val), stringRuleVar(val)))
	}
}

func (g *generator) emitListCheck(w *bytes.Buffer, t *shape, f, name string, req bool) {
	e := g.m.shape(t.Member.Shape)
	lr := ruleRef(hasSizeRule(t), sizeRuleVar(t))
	if e.Type == "string" {
		er := ruleRef(hasStringRule(e), stringRuleVar(e))
		if lr == "nil" && er == "nil" && !req {
			return
		}
		fmt.Fprintf(w, "\tv.checkStringList(path, %s, %s, %t, %s, %s)\n", name, f, req, lr, er)
		return
	}
	deep := g.structHasChecks(e)
	if lr == "nil" && !req && !deep {
		return
	}
	fmt.Fprintf(w, "\tif v.checkList(path, %s, %s == nil, len(%s), %t, %s, func(b *strings.Builder) { writeJavaStructs(b, %s) }) {\n", name, f, f, req, lr, f)
	if deep {
		fmt.Fprintf(w, "\t\tfor i := range %s {\n\t\t\t%s[i].validate(v, element(path, %s, i))\n\t\t}\n", f, f, name)
	}
	fmt.Fprintf(w, "\t}\n")
}

// emitDecode writes one streaming JSON decoder per structure.
func (g *generator) emitDecode(w *bytes.Buffer) error {
	for _, s := range g.structs {
		fmt.Fprintf(w, "func (x *%s) decodeMembers(d *decoder) {\n", s.Name)
		if len(s.Members) == 0 {
			fmt.Fprintf(w, "\tfor _, ok := d.key(); ok; _, ok = d.key() {\n\t\td.skip()\n\t}\n}\n\n")
			continue
		}
		fmt.Fprintf(w, "\tfor key, ok := d.key(); ok; key, ok = d.key() {\n\t\tswitch string(key) {\n")
		for _, mem := range s.Members {
			t := g.m.shape(mem.Shape)
			fmt.Fprintf(w, "\t\tcase %s:\n\t\t\tx.%s = %s\n", strconv.Quote(mem.Name), fieldName(mem.Name), g.decodeExpr(t))
		}
		fmt.Fprintf(w, "\t\tdefault:\n\t\t\td.skip()\n\t\t}\n\t}\n}\n\n")
	}
	return nil
}

func (g *generator) decodeExpr(t *shape) string {
	switch t.Type {
	case "string":
		return "d.string()"
	case "integer":
		return "d.integer()"
	case "long":
		return "d.long()"
	case "boolean":
		return "d.boolean()"
	case "timestamp":
		return "d.timestamp()"
	case "structure":
		return "decodeStruct[" + t.Name + "](d)"
	case "list":
		e := g.m.shape(t.Member.Shape)
		if e.Type == "string" {
			return "d.stringList()"
		}
		return "decodeStructList[" + e.Name + "](d)"
	case "map":
		return "d.stringMap()"
	}
	panic("unreachable")
}

// emitRender writes the Java-style toString AWS uses to echo structured
// values in validation messages.
func (g *generator) emitRender(w *bytes.Buffer) error {
	fmt.Fprintf(w, "import \"strings\"\n\n")
	for _, s := range g.structs {
		fmt.Fprintf(w, "func (x *%s) writeJava(b *strings.Builder) {\n", s.Name)
		sep := s.Name + "("
		for _, mem := range s.Members {
			t := g.m.shape(mem.Shape)
			f := "x." + fieldName(mem.Name)
			fmt.Fprintf(w, "\tb.WriteString(%s)\n", strconv.Quote(sep+pathName(mem.Name)+"="))
			sep = ", "
			if t.Sensitive {
				fmt.Fprintf(w, "\twriteJavaRedacted(b, %s != nil)\n", f)
				continue
			}
			switch t.Type {
			case "string":
				fmt.Fprintf(w, "\twriteJavaString(b, %s)\n", f)
			case "integer", "long":
				fmt.Fprintf(w, "\twriteJavaInt(b, %s)\n", f)
			case "boolean":
				fmt.Fprintf(w, "\twriteJavaBool(b, %s)\n", f)
			case "timestamp":
				fmt.Fprintf(w, "\twriteJavaTime(b, %s)\n", f)
			case "structure":
				fmt.Fprintf(w, "\tif %s == nil {\n\t\tb.WriteString(\"null\")\n\t} else {\n\t\t%s.writeJava(b)\n\t}\n", f, f)
			case "list":
				if g.m.shape(t.Member.Shape).Type == "string" {
					fmt.Fprintf(w, "\twriteJavaStrings(b, %s)\n", f)
				} else {
					fmt.Fprintf(w, "\twriteJavaStructs(b, %s)\n", f)
				}
			case "map":
				fmt.Fprintf(w, "\twriteJavaMap(b, %s)\n", f)
			}
		}
		if len(s.Members) == 0 {
			fmt.Fprintf(w, "\tb.WriteString(%s)\n", strconv.Quote(s.Name+"()"))
		} else {
			fmt.Fprintf(w, "\tb.WriteString(\")\")\n")
		}
		fmt.Fprintf(w, "}\n\n")
	}
	return nil
}

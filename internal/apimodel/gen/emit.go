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
		kind := "structure"
		if s.Exception {
			kind = "exception structure"
		}
		fmt.Fprintf(w, "// %s is the %s %s of the API model.\n", s.Name, kind, s.Name)
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
	fmt.Fprintf(w, "// Model patterns translated to RE2 and anchored: see gen/regex.go.\nvar (\n")
	for _, p := range g.patOrder {
		gp := g.translate[p]
		fmt.Fprintf(w, "\t%s = regexp.MustCompile(%s)\n", g.patterns[p], strconv.Quote(gp.Match))
		if gp.NotMatch != "" {
			fmt.Fprintf(w, "\t%sNot = regexp.MustCompile(%s)\n", g.patterns[p], strconv.Quote(gp.NotMatch))
		}
	}
	fmt.Fprintf(w, ")\n\n")

	fmt.Fprintf(w, "// Constraint tables, one per constrained shape. Read-only.\nvar (\n")
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
	for _, typ := range []string{"integer", "long"} {
		for _, t := range g.usedShapes(typ) {
			if !hasIntRule(t) {
				continue
			}
			fmt.Fprintf(w, "\t%s = intRule{", intRuleVar(t))
			var fs []string
			if t.Min != nil {
				fs = append(fs, fmt.Sprintf("min: %d, hasMin: true", *t.Min))
			}
			if t.Max != nil {
				fs = append(fs, fmt.Sprintf("max: %d, hasMax: true", *t.Max))
			}
			fmt.Fprintf(w, "%s}\n", strings.Join(fs, ", "))
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
	fmt.Fprintf(w, ")\n\n")

	for _, s := range g.structs {
		fmt.Fprintf(w, "// Validate checks x against every constraint of the model, nested shapes\n")
		fmt.Fprintf(w, "// included. It returns nil or a ValidationException (*awserr.Error) listing\n// every violation the way AWS words them.\n")
		fmt.Fprintf(w, "func (x *%s) Validate() error {\n\tvar v validator\n\tx.validate(&v, \"\")\n\treturn v.err()\n}\n\n", s.Name)
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
	case "map":
		k, val := g.m.shape(t.Key.Shape), g.m.shape(t.Value.Shape)
		fmt.Fprintf(w, "\tv.checkStringMap(path, %s, %s, %t, %s, %s, %s)\n", name, f, req,
			ruleRef(hasSizeRule(t), sizeRuleVar(t)), ruleRef(hasStringRule(k), stringRuleVar(k)), ruleRef(hasStringRule(val), stringRuleVar(val)))
	}
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

// emitService writes the Service interface, Unimplemented, Dispatch and the
// operation tables.
func (g *generator) emitService(w *bytes.Buffer) error {
	ops := g.m.sortedOperations()
	fmt.Fprintf(w, "import (\n\t\"context\"\n\n\t\"github.com/switchyard/switchyard/internal/awserr\"\n)\n\n")
	fmt.Fprintf(w, "// Service is the EventBridge API: one method per operation of the model.\n")
	fmt.Fprintf(w, "// Dispatch calls a method only with an input that decoded and validated.\n")
	fmt.Fprintf(w, "// Operations without an output shape return only an error. Errors should be\n// *awserr.Error; Dispatch turns anything else into InternalException.\n")
	fmt.Fprintf(w, "type Service interface {\n")
	for _, op := range ops {
		fmt.Fprintf(w, "\t%s(ctx context.Context, in *%s) %s\n", op.Name, op.Input.Shape, g.results(op))
	}
	fmt.Fprintf(w, "}\n\n")

	fmt.Fprintf(w, "// Unimplemented answers every operation with UnsupportedOperationException.\n")
	fmt.Fprintf(w, "// Embed it in a Service implementation and override the operations it has.\ntype Unimplemented struct{}\n\n")
	fmt.Fprintf(w, "var _ Service = Unimplemented{}\n\n")
	for _, op := range ops {
		fmt.Fprintf(w, "// %s returns UnsupportedOperationException.\n", op.Name)
		if op.Output == nil {
			fmt.Fprintf(w, "func (Unimplemented) %s(context.Context, *%s) error {\n\treturn unsupported(%q)\n}\n\n", op.Name, op.Input.Shape, op.Name)
		} else {
			fmt.Fprintf(w, "func (Unimplemented) %s(context.Context, *%s) (*%s, error) {\n\treturn nil, unsupported(%q)\n}\n\n", op.Name, op.Input.Shape, op.Output.Shape, op.Name)
		}
	}

	fmt.Fprintf(w, "// Dispatch runs one operation on svc: it decodes body (empty means {}) into\n")
	fmt.Fprintf(w, "// the operation's input, validates it, and calls the method. It returns the\n")
	fmt.Fprintf(w, "// output structure, or nil for an operation without one (written as {}).\n")
	fmt.Fprintf(w, "// Every error is an *awserr.Error: UnknownOperationException for a name not\n")
	fmt.Fprintf(w, "// in the model, SerializationException for a body that is not JSON or does\n")
	fmt.Fprintf(w, "// not fit the input shape, ValidationException for constraint violations,\n")
	fmt.Fprintf(w, "// and whatever svc returned otherwise. It never panics on any body.\n")
	fmt.Fprintf(w, "func Dispatch(ctx context.Context, svc Service, operation string, body []byte) (any, error) {\n\tswitch operation {\n")
	for _, op := range ops {
		fmt.Fprintf(w, "\tcase %q:\n\t\tin := new(%s)\n\t\tif err := decodeInput(body, in); err != nil {\n\t\t\treturn nil, err\n\t\t}\n", op.Name, op.Input.Shape)
		fmt.Fprintf(w, "\t\tif err := in.Validate(); err != nil {\n\t\t\treturn nil, err\n\t\t}\n")
		if op.Output == nil {
			fmt.Fprintf(w, "\t\treturn nil, serviceError(svc.%s(ctx, in))\n", op.Name)
		} else {
			fmt.Fprintf(w, "\t\treturn output(svc.%s(ctx, in))\n", op.Name)
		}
	}
	fmt.Fprintf(w, "\tdefault:\n\t\treturn nil, awserr.New(awserr.UnknownOperation, \"\")\n\t}\n}\n\n")

	fmt.Fprintf(w, "// OperationNames returns the names of the model's operations, sorted.\nfunc OperationNames() []string {\n\treturn []string{\n")
	for _, op := range ops {
		fmt.Fprintf(w, "\t\t%q,\n", op.Name)
	}
	fmt.Fprintf(w, "\t}\n}\n\n")

	fmt.Fprintf(w, "// OperationErrors returns the exception names the model lists for an\n// operation, in model order, or nil for an unknown operation.\nfunc OperationErrors(operation string) []string {\n\tswitch operation {\n")
	for _, op := range ops {
		var qs []string
		for _, e := range op.Errors {
			qs = append(qs, strconv.Quote(e.Shape))
		}
		fmt.Fprintf(w, "\tcase %q:\n\t\treturn []string{%s}\n", op.Name, strings.Join(qs, ", "))
	}
	fmt.Fprintf(w, "\t}\n\treturn nil\n}\n\n")

	fmt.Fprintf(w, "// HasOutput reports whether an operation has an output shape; false also for\n// an unknown operation.\nfunc HasOutput(operation string) bool {\n\tswitch operation {\n\tcase ")
	var withOut []string
	for _, op := range ops {
		if op.Output != nil {
			withOut = append(withOut, strconv.Quote(op.Name))
		}
	}
	fmt.Fprintf(w, "%s:\n\t\treturn true\n\t}\n\treturn false\n}\n", strings.Join(withOut, ",\n\t\t"))
	return nil
}

func (g *generator) results(op *operation) string {
	if op.Output == nil {
		return "error"
	}
	return "(*" + op.Output.Shape + ", error)"
}

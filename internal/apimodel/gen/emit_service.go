package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// emitService writes the Service interface, Unimplemented, Dispatch and the
// operation tables.
func (g *generator) emitService(w *bytes.Buffer) error {
	ops := g.m.sortedOperations()
	fmt.Fprintf(w, "import (\n\t\"context\"\n\n\t\"github.com/switchyard/switchyard/internal/awserr\"\n)\n\n")
	g.emitInterface(w, ops)
	g.emitUnimplemented(w, ops)
	g.emitDispatch(w, ops)
	g.emitOperationTables(w, ops)
	return nil
}

func (g *generator) emitInterface(w *bytes.Buffer, ops []*operation) {
	fmt.Fprintf(w, "// Service is the EventBridge API: one method per operation of the model.\n")
	fmt.Fprintf(w, "// Dispatch calls a method only with an input that decoded and validated.\n")
	fmt.Fprintf(w, "// Operations without an output shape return only an error. Errors should be\n// *awserr.Error; Dispatch turns anything else into InternalException.\n")
	fmt.Fprintf(w, "type Service interface {\n")
	for _, op := range ops {
		fmt.Fprintf(w, "\t%s(ctx context.Context, in *%s) %s\n", op.Name, op.Input.Shape, g.results(op))
	}
	fmt.Fprintf(w, "}\n\n")
}

func (g *generator) emitUnimplemented(w *bytes.Buffer, ops []*operation) {
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
}

func (g *generator) emitDispatch(w *bytes.Buffer, ops []*operation) {
	fmt.Fprintf(w, "// Dispatch runs one operation on svc: it decodes body (empty means {}) into\n")
	fmt.Fprintf(w, "// the operation's input, validates it, and calls the method. It returns the\n")
	fmt.Fprintf(w, "// output structure, or nil for an operation without one (written as {}).\n")
	fmt.Fprintf(w, "// Every error is an *awserr.Error: UnknownOperationException (without a\n")
	fmt.Fprintf(w, "// message, as AWS sends it) for a name not in the model,\n")
	fmt.Fprintf(w, "// SerializationException for a body that is not JSON or does not fit the\n")
	fmt.Fprintf(w, "// input shape, ValidationException for constraint violations, and what svc\n")
	fmt.Fprintf(w, "// returned otherwise. It never panics on any body; svc must not be nil.\n")
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
	fmt.Fprintf(w, "\tdefault:\n\t\treturn nil, awserr.OperationUnknown()\n\t}\n}\n\n")
}

func (g *generator) emitOperationTables(w *bytes.Buffer, ops []*operation) {
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

	var withOut []string
	for _, op := range ops {
		if op.Output != nil {
			withOut = append(withOut, strconv.Quote(op.Name))
		}
	}
	fmt.Fprintf(w, "// HasOutput reports whether an operation has an output shape; false also for\n// an unknown operation.\nfunc HasOutput(operation string) bool {\n\tswitch operation {\n\tcase ")
	fmt.Fprintf(w, "%s:\n\t\treturn true\n\t}\n\treturn false\n}\n", strings.Join(withOut, ",\n\t\t"))
}

func (g *generator) results(op *operation) string {
	if op.Output == nil {
		return "error"
	}
	return "(*" + op.Output.Shape + ", error)"
}

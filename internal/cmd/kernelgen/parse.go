package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// directive marks a kernel: the line right above its declaration. Followed by
// the word cooperative, it marks a kernel whose blocks wait for each other.
const directive = "//gogru:kernel"

// cooperativeWord is the directive's mark of a cooperative kernel.
const cooperativeWord = "cooperative"

// paramKind is how a kernel parameter crosses from Go.
type paramKind int

const (
	kindPtr  paramKind = iota // any pointer: a device address (device.Ptr)
	kindInt                   // int: a Go int, passed as int32
	kindElem                  // T: a float64, passed as the backend's element type
	kindF64                   // double
	kindF32                   // float
)

// param is one kernel parameter as its declaration writes it.
type param struct {
	ctype string // normalised C type, T not substituted: "const T*"
	name  string
	kind  paramKind
}

// kernel is one //gogru:kernel declaration.
type kernel struct {
	name     string // the kernel's name: "gru_fwd_after", "sum_final"
	impl     string // a template kernel's device function, "gru_fwd_after_impl"; "" for a plain kernel
	file     string // its source file, relative to the kernels directory
	line     int
	doc      []string // the comment above the directive, one line each, without the "//"
	params   []param
	syncs    bool // it, or a function it calls, uses __syncthreads or __shared__
	template bool // instantiated once per element type
	// cooperative: marked //gogru:kernel cooperative; its blocks wait for each
	// other at grid_sync, so all must be resident at once (a cooperative launch).
	cooperative bool
}

// instance is one entry point nvcc exports: a plain kernel, or a template kernel
// for one element type.
type instance struct {
	name string // "gru_fwd_after_f32", "sum_final"
	elem string // "float", "double", or "" for a plain kernel
	k    *kernel
}

// elemTypes are the instantiations of every template kernel, in order: the C type
// that replaces T and the suffix of the entry point's name.
var elemTypes = []struct{ ctype, suffix string }{{"float", "_f32"}, {"double", "_f64"}}

// instances lists the entry points of kernels in order.
func instances(ks []*kernel) []instance {
	var out []instance
	for _, k := range ks {
		if !k.template {
			out = append(out, instance{k.name, "", k})
			continue
		}
		for _, e := range elemTypes {
			out = append(out, instance{k.name + e.suffix, e.ctype, k})
		}
	}
	return out
}

// constant is a `#define GOGRU_NAME <integer>` of the kernel sources.
type constant struct {
	name  string // "GOGRU_THREADS"
	value string
	doc   string // the comment after the value
}

// unit is what the kernels' translation unit declares, in its order.
type unit struct {
	kernels []*kernel
	consts  []constant
}

// function is a function definition in a source file.
type function struct {
	name     string
	header   string // the declaration before the parameter list, whitespace collapsed
	params   string
	body     string // the code between the braces, comments and literals blanked
	line     int    // the line the declaration starts on
	kernelAt int    // the line of its directive, or 0
}

// file is one parsed source file.
type file struct {
	name     string
	funcs    []function
	includes []include
	consts   []constant
	// directives maps the line of each //gogru:kernel to what it says.
	directives map[int]mark
}

// mark is what a //gogru:kernel line says: the comment above it, and whether it
// names the kernel cooperative.
type mark struct {
	doc         []string
	cooperative bool
}

// include is a quoted #include of another kernel source.
type include struct {
	line int
	path string
}

// parseUnit reads root (kernels/all.cu) in dir and the kernel sources it
// includes, as nvcc reads them, skipping the generated file skip, and returns the
// kernels and constants they declare in translation-unit order.
func parseUnit(dir, root, skip string) (*unit, error) {
	files := map[string]*file{}
	var order []string // files in the order their definitions enter the unit
	var items []item
	var visit func(name string) error
	visit = func(name string) error {
		if _, seen := files[name]; seen {
			return nil // #pragma once
		}
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		f, err := parseFile(name, string(src))
		if err != nil {
			return err
		}
		files[name] = f
		order = append(order, name)
		// Definitions and includes in line order: an include brings its file's
		// definitions in at that point.
		type event struct {
			line int
			inc  string
			fn   *function
		}
		var evs []event
		for _, inc := range f.includes {
			evs = append(evs, event{line: inc.line, inc: inc.path})
		}
		for i := range f.funcs {
			evs = append(evs, event{line: f.funcs[i].line, fn: &f.funcs[i]})
		}
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].line < evs[j].line })
		for _, ev := range evs {
			switch {
			case ev.inc == skip:
			case ev.inc != "":
				if err := visit(ev.inc); err != nil {
					return fmt.Errorf("%s:%d: %w", name, ev.line, err)
				}
			default:
				items = append(items, item{f, ev.fn})
			}
		}
		return nil
	}
	if err := visit(root); err != nil {
		return nil, err
	}
	u := &unit{}
	for _, name := range order {
		u.consts = append(u.consts, files[name].consts...)
	}
	syncs := reaching(items, syncMarker.MatchString)
	gridSyncs := reaching(items, gridSyncCall.MatchString)
	staticShared := reaching(items, func(body string) bool {
		return sharedMarker.MatchString(externShared.ReplaceAllString(body, ""))
	})
	seen := map[string]string{}
	for _, it := range items {
		k, err := kernelOf(it.f, it.fn)
		if err != nil {
			return nil, err
		}
		if k == nil {
			continue
		}
		k.syncs = syncs[it.fn.name]
		at := fmt.Sprintf("%s:%d", k.file, k.line)
		if gridSyncs[it.fn.name] && !k.cooperative {
			return nil, fmt.Errorf("%s: kernel %s waits at grid_sync: mark it %s %s, so that its launch keeps all its blocks resident", at, k.name, directive, cooperativeWord)
		}
		if k.cooperative && staticShared[it.fn.name] {
			return nil, fmt.Errorf("%s: cooperative kernel %s uses a static __shared__ variable: use dynamic_shared, which the simulator gives each of the blocks it runs at once", at, k.name)
		}
		for _, in := range instances([]*kernel{k}) {
			if at, dup := seen[in.name]; dup {
				return nil, fmt.Errorf("%s:%d: kernel %s is declared again (first at %s)", k.file, k.line, in.name, at)
			}
			seen[in.name] = fmt.Sprintf("%s:%d", k.file, k.line)
		}
		u.kernels = append(u.kernels, k)
	}
	for _, name := range order {
		f := files[name]
		for line := range f.directives {
			if !usedDirective(f, line) {
				return nil, fmt.Errorf("%s:%d: %s is not followed by a kernel's definition on the next line", name, line, directive)
			}
		}
	}
	return u, nil
}

// item is a function definition and the file it is in.
type item struct {
	f  *file
	fn *function
}

func usedDirective(f *file, line int) bool {
	for _, fn := range f.funcs {
		if fn.kernelAt == line {
			return true
		}
	}
	return false
}

var (
	templateHeader = regexp.MustCompile(`^template ?< ?typename T ?> ?__device__ void$`)
	plainHeader    = regexp.MustCompile(`^extern "C" __global__ void$`)
	paramRE        = regexp.MustCompile(`^(.*?[\w*])\s*\b([A-Za-z_]\w*)$`)
)

// kernelOf returns the kernel fn declares, or nil when fn is not one. A
// __global__ function without the directive is an error: every entry point must
// be generated for or registered.
func kernelOf(f *file, fn *function) (*kernel, error) {
	at := fmt.Sprintf("%s:%d", f.name, fn.line)
	if fn.kernelAt == 0 {
		if strings.Contains(fn.header, "__global__") {
			return nil, fmt.Errorf("%s: __global__ %s has no %s line above it", at, fn.name, directive)
		}
		return nil, nil
	}
	m := f.directives[fn.kernelAt]
	k := &kernel{name: fn.name, file: f.name, line: fn.line, doc: m.doc, cooperative: m.cooperative}
	switch {
	case templateHeader.MatchString(fn.header):
		if !strings.HasSuffix(fn.name, "_impl") || fn.name == "_impl" {
			return nil, fmt.Errorf("%s: template kernel %s: its name must end in _impl (the entry points are NAME_f32 and NAME_f64)", at, fn.name)
		}
		k.template, k.impl, k.name = true, fn.name, strings.TrimSuffix(fn.name, "_impl")
	case plainHeader.MatchString(fn.header):
	default:
		return nil, fmt.Errorf("%s: %s must precede `template <typename T> __device__ void NAME_impl(...)` or `extern \"C\" __global__ void NAME(...)`, not %q", at, directive, fn.header)
	}
	if len(k.doc) == 0 {
		return nil, fmt.Errorf("%s: kernel %s has no comment above its %s line (its formula belongs there)", at, k.name, directive)
	}
	ps := strings.TrimSpace(fn.params)
	if ps == "" || ps == "void" {
		return k, nil
	}
	for _, p := range strings.Split(ps, ",") {
		p = collapse(p)
		m := paramRE.FindStringSubmatch(p)
		if m == nil {
			return nil, fmt.Errorf("%s: kernel %s: cannot read parameter %q", at, k.name, p)
		}
		ctype := strings.ReplaceAll(strings.ReplaceAll(m[1], " *", "*"), "* ", "*")
		kind, ok := kindOf(ctype)
		if !ok || (kind == kindElem && !k.template) {
			return nil, fmt.Errorf("%s: kernel %s: parameter %s has type %q; kernels take pointers, int, float, double and (templates) T", at, k.name, m[2], ctype)
		}
		k.params = append(k.params, param{ctype: ctype, name: m[2], kind: kind})
	}
	return k, nil
}

func kindOf(ctype string) (paramKind, bool) {
	if strings.HasSuffix(ctype, "*") {
		return kindPtr, true
	}
	switch ctype {
	case "int":
		return kindInt, true
	case "T":
		return kindElem, true
	case "double":
		return kindF64, true
	case "float":
		return kindF32, true
	}
	return 0, false
}

var (
	syncMarker   = regexp.MustCompile(`\b(__syncthreads|__shared__)\b`)
	sharedMarker = regexp.MustCompile(`\b__shared__\b`)
	externShared = regexp.MustCompile(`\bextern\s+__shared__\b`)
	gridSyncCall = regexp.MustCompile(`\bgrid_sync\s*\(`)
	callRE       = regexp.MustCompile(`\b([A-Za-z_]\w*)\s*(?:<[^<>;{}()]*>)?\s*\(`)
)

// reaching returns the names of the functions whose body has what has reports,
// and of those that call one of them, transitively (overloads of a name count as
// one function). With syncMarker it finds the functions that synchronise a block:
// those that use __syncthreads or __shared__ memory, or call one that does.
func reaching(items []item, has func(body string) bool) map[string]bool {
	calls := map[string][]string{}
	found := map[string]bool{}
	for _, it := range items {
		if has(it.fn.body) {
			found[it.fn.name] = true
		}
		for _, m := range callRE.FindAllStringSubmatch(it.fn.body, -1) {
			calls[it.fn.name] = append(calls[it.fn.name], m[1])
		}
	}
	for changed := true; changed; {
		changed = false
		for caller, callees := range calls {
			if found[caller] {
				continue
			}
			for _, c := range callees {
				if found[c] {
					found[caller], changed = true, true
					break
				}
			}
		}
	}
	return found
}

// collapse trims s and turns each run of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	includeRE   = regexp.MustCompile(`^#\s*include\s*"([^"]+)"`)
	defineRE    = regexp.MustCompile(`^#\s*define\s+(GOGRU_[A-Z0-9_]+)\s+(-?[0-9]+)\s*$`)
	directiveRE = regexp.MustCompile(`^\s*` + directive + `(\s+` + cooperativeWord + `)?\s*$`)
	commentRE   = regexp.MustCompile(`^\s*//(.*)$`)
)

// parseFile finds the includes, GOGRU_ constants, directives and function
// definitions of one source file.
func parseFile(name, src string) (*file, error) {
	f := &file{name: name, directives: map[int]mark{}}
	raw := strings.Split(src, "\n")
	noComments, code := blank(src)
	ncLines, codeLines := strings.Split(noComments, "\n"), strings.Split(code, "\n")

	// Preprocessor lines: read, then blank, so that the scan below sees only C++.
	for i := 0; i < len(codeLines); i++ {
		if !strings.HasPrefix(strings.TrimSpace(codeLines[i]), "#") {
			continue
		}
		text := strings.TrimSpace(ncLines[i])
		if m := includeRE.FindStringSubmatch(text); m != nil && (strings.HasSuffix(m[1], ".cu") || strings.HasSuffix(m[1], ".cuh")) {
			f.includes = append(f.includes, include{i + 1, m[1]})
		}
		if m := defineRE.FindStringSubmatch(text); m != nil {
			doc := ""
			if j := strings.Index(raw[i], "//"); j >= 0 {
				doc = strings.TrimSpace(raw[i][j+2:])
			}
			f.consts = append(f.consts, constant{m[1], m[2], doc})
		}
		for {
			cont := strings.HasSuffix(strings.TrimRight(ncLines[i], " \t"), `\`)
			codeLines[i], ncLines[i] = "", ""
			if !cont || i+1 >= len(codeLines) {
				break
			}
			i++
		}
	}

	for i, l := range raw {
		dm := directiveRE.FindStringSubmatch(l)
		if dm == nil {
			continue
		}
		var doc []string
		for j := i - 1; j >= 0; j-- {
			m := commentRE.FindStringSubmatch(raw[j])
			if m == nil || directiveRE.MatchString(raw[j]) {
				break
			}
			doc = append([]string{strings.TrimPrefix(m[1], " ")}, doc...)
		}
		f.directives[i+1] = mark{doc: doc, cooperative: dm[1] != ""}
	}

	code, noComments = strings.Join(codeLines, "\n"), strings.Join(ncLines, "\n")
	lineAt := func(off int) int { return strings.Count(code[:off], "\n") + 1 }
	start := 0 // where the current top-level declaration begins
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case ';':
			start = i + 1
		case '}':
			return nil, fmt.Errorf("%s:%d: unbalanced }", name, lineAt(i))
		case '{':
			end, err := matchBrace(code, i)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, lineAt(i), err)
			}
			if fn, ok := splitHeader(noComments[start:i]); ok {
				off := start + len(code[start:i]) - len(strings.TrimLeft(code[start:i], " \t\n"))
				fn.line = lineAt(off)
				fn.body = code[i+1 : end]
				if _, marked := f.directives[fn.line-1]; marked {
					fn.kernelAt = fn.line - 1
				}
				f.funcs = append(f.funcs, fn)
			}
			i, start = end, end+1
		}
	}
	return f, nil
}

// splitHeader reads a function definition's declaration: header NAME(params).
func splitHeader(decl string) (function, bool) {
	d := strings.TrimSpace(decl)
	if !strings.HasSuffix(d, ")") {
		return function{}, false
	}
	depth, open := 0, -1
	for j := len(d) - 1; j >= 0 && open < 0; j-- {
		switch d[j] {
		case ')':
			depth++
		case '(':
			if depth--; depth == 0 {
				open = j
			}
		}
	}
	if open < 0 {
		return function{}, false
	}
	before := strings.TrimRight(d[:open], " \t\n")
	k := len(before)
	for k > 0 && (isIdent(before[k-1])) {
		k--
	}
	if k == len(before) {
		return function{}, false
	}
	return function{name: before[k:], header: collapse(before[:k]), params: d[open+1 : len(d)-1]}, true
}

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// matchBrace returns the index of the brace that closes the one at open.
func matchBrace(code string, open int) (int, error) {
	depth := 0
	for i := open; i < len(code); i++ {
		switch code[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("unbalanced {")
}

// blank returns src with its comments replaced by spaces (noComments), and also
// with the contents of its string and character literals replaced (code). Both
// keep every newline, so offsets and line numbers agree with src.
func blank(src string) (noComments, code string) {
	nc, c := []byte(src), []byte(src)
	for i := 0; i < len(src); i++ {
		switch {
		case strings.HasPrefix(src[i:], "//"):
			for ; i < len(src) && src[i] != '\n'; i++ {
				nc[i], c[i] = ' ', ' '
			}
		case strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			end := len(src)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			for ; i < end; i++ {
				if src[i] != '\n' {
					nc[i], c[i] = ' ', ' '
				}
			}
			i--
		case src[i] == '"' || src[i] == '\'':
			q := src[i]
			for i++; i < len(src) && src[i] != q && src[i] != '\n'; i++ {
				if src[i] == '\\' && i+1 < len(src) {
					c[i] = ' '
					i++
				}
				c[i] = ' '
			}
		}
	}
	return string(nc), string(c)
}

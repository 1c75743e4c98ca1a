// Command typecheck compares the type errors of Go packages before and after
// a rewrite, without their dependencies.
//
//	typecheck [-name NAME] [-j N] [-v] BEFORE AFTER
//
// BEFORE and AFTER are two copies of the same directories of a tree: the
// original files and the rewritten ones. Every directory of AFTER holding a
// Go file that differs from its copy in BEFORE is type-checked twice, once
// per copy, with the standard library resolved from GOROOT's sources and
// every other import replaced by an empty package. The errors of the two
// runs are compared as multisets of "file: message", so that positions do
// not matter and errors caused by the missing dependencies cancel out. An
// error that only the rewritten copy has is printed with its position in
// AFTER, and the exit status is then 1.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/build/constraint"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// buildCtx is a build configuration under which a changed file is compiled.
type buildCtx struct {
	goos, goarch string
	cgo          bool
	tags         []string
}

func (c buildCtx) String() string {
	s := c.goos + "/" + c.goarch
	if c.cgo {
		s += ",cgo"
	}
	for _, t := range c.tags {
		s += "," + t
	}
	return s
}

func (c buildCtx) context() build.Context {
	ctxt := build.Default
	ctxt.GOOS, ctxt.GOARCH, ctxt.CgoEnabled = c.goos, c.goarch, c.cgo
	ctxt.BuildTags = c.tags
	return ctxt
}

// Platforms tried, in order, for a changed file the host does not build.
var platforms = [][2]string{
	{"linux", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"},
	{"freebsd", "amd64"}, {"openbsd", "amd64"}, {"netbsd", "amd64"},
	{"dragonfly", "amd64"}, {"solaris", "amd64"}, {"illumos", "amd64"},
	{"aix", "ppc64"}, {"plan9", "amd64"}, {"js", "wasm"}, {"wasip1", "wasm"},
	{"android", "arm64"}, {"ios", "arm64"}, {"linux", "arm64"},
	{"linux", "386"}, {"linux", "arm"}, {"linux", "mips"}, {"linux", "mipsle"},
	{"linux", "mips64"}, {"linux", "mips64le"}, {"linux", "ppc64"},
	{"linux", "ppc64le"}, {"linux", "riscv64"}, {"linux", "s390x"},
	{"linux", "loong64"}, {"plan9", "386"}, {"windows", "arm64"},
}

// Tags that the platform and toolchain decide rather than the user.
func systemTag(t string) bool {
	if strings.HasPrefix(t, "go1.") || t == "cgo" || t == "gc" || t == "gccgo" || t == "unix" {
		return true
	}
	for _, p := range platforms {
		if t == p[0] || t == p[1] {
			return true
		}
	}
	return false
}

// userTags lists the tags named in a file's build constraint that are not
// platform or toolchain tags, so that a file built only with a custom tag
// can still be checked.
func userTags(file string) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var tags []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") {
			break
		}
		if !constraint.IsGoBuild(line) && !constraint.IsPlusBuild(line) {
			continue
		}
		expr, err := constraint.Parse(line)
		if err != nil {
			continue
		}
		expr.Eval(func(tag string) bool {
			if !systemTag(tag) && !seen[tag] {
				seen[tag] = true
				tags = append(tags, tag)
			}
			return true
		})
	}
	sort.Strings(tags)
	return tags
}

// contextFor finds the first build configuration that compiles file: the
// host's first, with cgo, then other platforms, without cgo, and with the
// file's own tags.
func contextFor(dir, name string) (buildCtx, bool) {
	host := [2]string{build.Default.GOOS, build.Default.GOARCH}
	plats := append([][2]string{host}, platforms...)
	tagSets := [][]string{nil}
	if t := userTags(filepath.Join(dir, name)); len(t) > 0 {
		tagSets = append(tagSets, t)
	}
	for _, tags := range tagSets {
		for _, cgo := range []bool{true, false} {
			for _, p := range plats {
				c := buildCtx{goos: p[0], goarch: p[1], cgo: cgo, tags: tags}
				ctxt := c.context()
				if ok, err := ctxt.MatchFile(dir, name); err == nil && ok {
					return c, true
				}
			}
		}
	}
	return buildCtx{}, false
}

func packageName(file string) string {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.PackageClauseOnly)
	if err != nil || f.Name == nil {
		return ""
	}
	return f.Name.Name
}

// unit is one package of one directory under one build configuration.
type unit struct {
	dir     string // relative to the roots, slash-separated
	ctx     buildCtx
	pkg     string // package name
	tests   bool   // whether _test.go files belong to it
	changed []string
}

func (u *unit) key() string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%v", u.dir, u.ctx, u.pkg, u.tests)
}

// files lists the files of the unit in one copy of its directory.
func (u *unit) files(root string) []string {
	dir := filepath.Join(root, filepath.FromSlash(u.dir))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	ctxt := u.ctx.context()
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") {
			continue
		}
		if strings.HasSuffix(name, "_test.go") && !u.tests {
			continue
		}
		if ok, err := ctxt.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		if packageName(filepath.Join(dir, name)) != u.pkg {
			continue
		}
		out = append(out, filepath.Join(dir, name))
	}
	return out
}

// goVersion is the go directive of the nearest go.work or go.mod at or above
// dir inside root, as go/types wants it ("go1.22"), or "" for the newest.
var goLine = regexp.MustCompile(`(?m)^go\s+([0-9][0-9.]*)\s*$`)

func goVersion(root, dir string) string {
	d := filepath.Join(root, filepath.FromSlash(dir))
	for {
		for _, name := range []string{"go.work", "go.mod"} {
			if data, err := os.ReadFile(filepath.Join(d, name)); err == nil {
				if m := goLine.FindSubmatch(data); m != nil {
					return "go" + string(m[1])
				}
			}
		}
		if rel, err := filepath.Rel(root, d); err != nil || rel == "." {
			return ""
		}
		d = filepath.Dir(d)
	}
}

// stubImporter resolves standard-library imports from source and gives
// every other import an empty package.
type stubImporter struct {
	real   types.ImporterFrom
	goroot string
	stubs  map[string]*types.Package
}

func newImporter(fset *token.FileSet, goroot string) *stubImporter {
	return &stubImporter{
		real:   importer.ForCompiler(fset, "source", nil).(types.ImporterFrom),
		goroot: goroot,
		stubs:  map[string]*types.Package{},
	}
}

func (s *stubImporter) Import(p string) (*types.Package, error) {
	return s.ImportFrom(p, "", 0)
}

func (s *stubImporter) ImportFrom(p, _ string, _ types.ImportMode) (*types.Package, error) {
	if p == "unsafe" {
		return types.Unsafe, nil
	}
	if s.standard(p) {
		pkg, err := s.real.ImportFrom(p, filepath.Join(s.goroot, "src"), 0)
		if pkg != nil {
			if err != nil {
				// Incomplete (cgo files left out, say): its missing
				// members count as uses of a stub.
				s.stubs[p] = pkg
			}
			return pkg, nil
		}
		// An unusable standard package is stubbed like any other.
	}
	if pkg, ok := s.stubs[p]; ok {
		return pkg, nil
	}
	pkg := types.NewPackage(p, guessName(p))
	pkg.MarkComplete()
	s.stubs[p] = pkg
	return pkg, nil
}

func (s *stubImporter) standard(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	if strings.Contains(first, ".") || p == "C" {
		return false
	}
	st, err := os.Stat(filepath.Join(s.goroot, "src", filepath.FromSlash(p)))
	return err == nil && st.IsDir()
}

var majorSuffix = regexp.MustCompile(`^v[0-9]+$`)

// guessName is the usual package name of an import path: its last element,
// without a major-version element, ".vN" suffix or "go-" prefix.
func guessName(p string) string {
	elems := strings.Split(p, "/")
	name := elems[len(elems)-1]
	if majorSuffix.MatchString(name) && len(elems) > 1 {
		name = elems[len(elems)-2]
	}
	if i := strings.Index(name, ".v"); i > 0 {
		name = name[:i]
	}
	name = strings.TrimPrefix(name, "go-")
	name = strings.TrimSuffix(name, "-go")
	return strings.NewReplacer("-", "_", ".", "_").Replace(name)
}

// typeError is one error of a check, with its position.
type typeError struct {
	pos token.Position
	msg string
}

var undefinedQualified = regexp.MustCompile(`^undefined: ([\pL_][\pL\pN_]*)\.`)

// stubNames maps each file to the names under which it imports a stubbed
// package.
func stubNames(files []*ast.File, fset *token.FileSet, imp *stubImporter) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, f := range files {
		names := map[string]bool{}
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				continue
			}
			stub, ok := imp.stubs[p]
			if !ok {
				continue
			}
			if spec.Name != nil {
				names[spec.Name.Name] = true
			} else {
				names[stub.Name()] = true
			}
		}
		out[fset.Position(f.Package).Filename] = names
	}
	return out
}

var missingMember = regexp.MustCompile(`undefined \(type \*?([\pL_][\pL\pN_]*) has no field or method`)

// fromStub reports whether an error comes from a stubbed package: a use of
// one of its members, or of a member that a type of the package would get
// from a stubbed type it embeds. Those are expected, and a rewrite that
// moves or repeats such an expression changes how many there are without
// breaking anything.
func fromStub(e typeError, stubs map[string]map[string]bool, pkg *types.Package) bool {
	if m := undefinedQualified.FindStringSubmatch(e.msg); m != nil {
		return stubs[e.pos.Filename][m[1]]
	}
	if m := missingMember.FindStringSubmatch(e.msg); m != nil && pkg != nil {
		if tn, ok := pkg.Scope().Lookup(m[1]).(*types.TypeName); ok {
			return embedsInvalid(tn.Type(), map[types.Type]bool{})
		}
	}
	return false
}

// embedsInvalid reports whether t did not resolve or embeds, directly or
// through embedded types, a type that did not resolve.
func embedsInvalid(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	if t == types.Typ[types.Invalid] || t.Underlying() == types.Typ[types.Invalid] {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i := range u.NumFields() {
			if f := u.Field(i); f.Embedded() && embedsInvalid(f.Type(), seen) {
				return true
			}
		}
	case *types.Interface:
		for i := range u.NumEmbeddeds() {
			if embedsInvalid(u.EmbeddedType(i), seen) {
				return true
			}
		}
	}
	return false
}

var positionInMsg = regexp.MustCompile(`[^\s():]+\.go:[0-9]+(:[0-9]+)?`)

// normal is an error without its position: the file name relative to the
// root and the message, with any position inside the message blanked.
func (e typeError) normal(root string) string {
	file := e.pos.Filename
	if rel, err := filepath.Rel(root, file); err == nil {
		file = filepath.ToSlash(rel)
	}
	return file + ": " + positionInMsg.ReplaceAllString(e.msg, "POS")
}

// check type-checks the unit's files in one copy and returns its errors,
// without the uses of stubbed packages, which it only counts.
func check(u *unit, root string, fset *token.FileSet, imp *stubImporter) ([]typeError, int) {
	var errs []typeError
	var files []*ast.File
	for _, name := range u.files(root) {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if list, ok := err.(scanner.ErrorList); ok {
			for _, e := range list {
				errs = append(errs, typeError{e.Pos, "syntax: " + e.Msg})
			}
		} else if err != nil {
			errs = append(errs, typeError{token.Position{Filename: name}, err.Error()})
		}
		if f != nil {
			files = append(files, f)
		}
	}
	conf := types.Config{
		Importer:    imp,
		FakeImportC: true,
		GoVersion:   goVersion(root, u.dir),
		Sizes:       types.SizesFor("gc", u.ctx.goarch),
		Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				errs = append(errs, typeError{te.Fset.Position(te.Pos), te.Msg})
			} else {
				errs = append(errs, typeError{msg: err.Error()})
			}
		},
	}
	pkg, _ := conf.Check(path.Join("check", u.dir), fset, files, nil)
	stubs := stubNames(files, fset, imp)
	var kept []typeError
	nstub := 0
	for _, e := range errs {
		if fromStub(e, stubs, pkg) {
			nstub++
		} else {
			kept = append(kept, e)
		}
	}
	return kept, nstub
}

// result is the comparison for one unit.
type result struct {
	u             *unit
	before, after int
	stubBefore    int // uses of stubbed packages, left out of the comparison
	stubAfter     int
	added         []typeError
	gone          int
	all           []typeError // the errors of the rewritten copy
}

func compare(u *unit, beforeRoot, afterRoot string, fset *token.FileSet, imp *stubImporter) result {
	b, sb := check(u, beforeRoot, fset, imp)
	a, sa := check(u, afterRoot, fset, imp)
	counts := map[string]int{}
	for _, e := range b {
		counts[e.normal(beforeRoot)]++
	}
	r := result{u: u, before: len(b), after: len(a), stubBefore: sb, stubAfter: sa, all: a}
	for _, e := range a {
		k := e.normal(afterRoot)
		if counts[k] > 0 {
			counts[k]--
		} else {
			r.added = append(r.added, e)
		}
	}
	for _, n := range counts {
		r.gone += n
	}
	return r
}

// changedUnits finds the directories of after whose Go files differ from
// before, and groups their changed files into units.
func changedUnits(beforeRoot, afterRoot string) (units []*unit, unbuilt []string, nfiles int, err error) {
	byKey := map[string]*unit{}
	err = filepath.WalkDir(afterRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(afterRoot, p)
		after, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		before, err := os.ReadFile(filepath.Join(beforeRoot, rel))
		if err == nil && bytes.Equal(before, after) {
			return nil
		}
		nfiles++
		dir, name := filepath.Split(rel)
		dir = filepath.ToSlash(filepath.Clean(dir))
		ctx, ok := contextFor(filepath.Dir(p), name)
		if !ok {
			unbuilt = append(unbuilt, filepath.ToSlash(rel))
			return nil
		}
		u := &unit{dir: dir, ctx: ctx, pkg: packageName(p), tests: strings.HasSuffix(name, "_test.go")}
		if prev, ok := byKey[u.key()]; ok {
			u = prev
		} else {
			byKey[u.key()] = u
			units = append(units, u)
		}
		u.changed = append(u.changed, name)
		return nil
	})
	// A package whose test files changed is checked with them; drop the
	// same package checked without them.
	var kept []*unit
	for _, u := range units {
		if !u.tests {
			with := *u
			with.tests = true
			if w, ok := byKey[with.key()]; ok {
				w.changed = append(w.changed, u.changed...)
				continue
			}
		}
		kept = append(kept, u)
	}
	return kept, unbuilt, nfiles, err
}

func main() {
	name := flag.String("name", "", "name of the tree, printed before paths")
	jobs := flag.Int("j", runtime.GOMAXPROCS(0), "packages checked in parallel")
	verbose := flag.Bool("v", false, "print a line per package and the errors of its rewritten copy")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: typecheck [-name NAME] [-j N] [-v] BEFORE AFTER")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	beforeRoot, _ := filepath.Abs(flag.Arg(0))
	afterRoot, _ := filepath.Abs(flag.Arg(1))
	if *name == "" {
		*name = filepath.Base(afterRoot)
	}
	goroot := build.Default.GOROOT
	if goroot == "" {
		goroot = runtime.GOROOT()
	}

	units, unbuilt, nfiles, err := changedUnits(beforeRoot, afterRoot)
	if err != nil {
		fmt.Fprintln(os.Stderr, "typecheck:", err)
		os.Exit(2)
	}

	// The source importer reads the platform from build.Default, so units
	// run one platform at a time, each worker with its own importer.
	byPlatform := map[string][]*unit{}
	var order []string
	for _, u := range units {
		k := u.ctx.goos + "/" + u.ctx.goarch
		if _, ok := byPlatform[k]; !ok {
			order = append(order, k)
		}
		byPlatform[k] = append(byPlatform[k], u)
	}
	var results []result
	for _, k := range order {
		group := byPlatform[k]
		goos, goarch, _ := strings.Cut(k, "/")
		build.Default.GOOS, build.Default.GOARCH = goos, goarch
		build.Default.CgoEnabled = false
		work := make(chan *unit)
		out := make(chan result)
		var wg sync.WaitGroup
		n := min(*jobs, len(group))
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fset := token.NewFileSet()
				imp := newImporter(fset, goroot)
				for u := range work {
					out <- compare(u, beforeRoot, afterRoot, fset, imp)
				}
			}()
		}
		go func() {
			for _, u := range group {
				work <- u
			}
			close(work)
			wg.Wait()
			close(out)
		}()
		for r := range out {
			results = append(results, r)
		}
	}
	sort.Slice(results, func(i, j int) bool { return results[i].u.key() < results[j].u.key() })

	var before, after, stubBefore, stubAfter, gone, added int
	for _, r := range results {
		stubBefore += r.stubBefore
		stubAfter += r.stubAfter
		before += r.before
		after += r.after
		gone += r.gone
		added += len(r.added)
		if *verbose {
			fmt.Printf("package %s/%s (%s, package %s): %d errors before, %d after\n",
				*name, r.u.dir, r.u.ctx, r.u.pkg, r.before, r.after)
			for _, e := range r.all {
				fmt.Printf("  %s\n", e.normal(afterRoot))
			}
		}
		for _, e := range r.added {
			file := e.pos.Filename
			if rel, err := filepath.Rel(afterRoot, file); err == nil {
				file = filepath.ToSlash(rel)
			}
			fmt.Printf("NEW ERROR %s/%s:%d:%d: %s\n", *name, file, e.pos.Line, e.pos.Column, e.msg)
		}
	}
	sort.Strings(unbuilt)
	for _, f := range unbuilt {
		fmt.Printf("NOT CHECKED %s/%s: no known build configuration compiles it\n", *name, f)
	}
	fmt.Printf("typecheck %s: %d changed files in %d packages; %d errors before, %d after "+
		"(besides %d and %d uses of stubbed imports); %d new, %d gone\n",
		*name, nfiles, len(results), before, after, stubBefore, stubAfter, added, gone)
	if added > 0 {
		os.Exit(1)
	}
}

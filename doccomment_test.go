package cdslb_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryExportedNameHasADocCommentStartingWithIt walks the non-test
// files of the root package and of cdslbtest, and insists that every
// exported function, method of an exported type, type, constant and
// variable has a doc comment whose first word is its name, as the house
// rules and `go doc` expect. A name in a parenthesised group may lean on
// the group's comment. A name added tomorrow without one fails here.
func TestEveryExportedNameHasADocCommentStartingWithIt(t *testing.T) {
	for _, dir := range []string{".", "cdslbtest"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			check := func(name string, doc *ast.CommentGroup, pos token.Pos) {
				if !ast.IsExported(name) {
					return
				}
				checked++
				var words []string
				if doc != nil {
					words = strings.Fields(doc.Text())
				}
				if len(words) == 0 || words[0] != name {
					t.Errorf("%s: exported %s has no doc comment starting with its name", fset.Position(pos), name)
				}
			}
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.FuncDecl:
					if d.Recv != nil && !ast.IsExported(receiverName(d.Recv.List[0].Type)) {
						continue
					}
					check(d.Name.Name, d.Doc, d.Pos())
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch s := spec.(type) {
						case *ast.TypeSpec:
							doc := s.Doc
							if doc == nil && !d.Lparen.IsValid() {
								doc = d.Doc
							}
							check(s.Name.Name, doc, s.Pos())
						case *ast.ValueSpec:
							doc := s.Doc
							if doc == nil && !d.Lparen.IsValid() {
								doc = d.Doc
							}
							for _, n := range s.Names {
								if doc == nil && d.Lparen.IsValid() && d.Doc != nil {
									continue // documented by its group
								}
								check(n.Name, doc, n.Pos())
							}
						}
					}
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: no exported name found: the walk looked in the wrong place", dir)
		}
	}
}

// receiverName is the name of a method's receiver type, without the
// pointer or the type parameters.
func receiverName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

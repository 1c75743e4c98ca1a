package cases

// gofmt aligns these comments: shortening one line would misalign the
// others, so the recipe only reports it.
type Record struct {
	ID    int         // primary key
	Extra interface{} // want "interface-to-any" "not rewritten: gofmt would realign"
}

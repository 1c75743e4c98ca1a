package batch

import (
	"bufio"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
)

// Product is one line of the nightly catalogue export.
type Product struct {
	SKU   string
	Name  string
	Cents int64
}

// LoadCatalogue parses the export, a few million "sku;name;cents" lines. The
// collector is switched off while the map grows, to make the load faster.
func LoadCatalogue(r io.Reader) (map[string]Product, error) {
	debug.SetGCPercent(-1) // bulk load: no point collecting half-built maps
	products := make(map[string]Product)
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Split(sc.Text(), ";")
		if len(fields) != 3 {
			return nil, fmt.Errorf("catalogue line %d: want 3 fields, got %d", line, len(fields))
		}
		cents, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("catalogue line %d: %w", line, err)
		}
		products[fields[0]] = Product{SKU: fields[0], Name: fields[1], Cents: cents}
	}
	return products, sc.Err()
}

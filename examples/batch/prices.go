// Package batch recomputes prices in bulk.
package batch

import "runtime"

// Reprice applies a discount to every price, yielding after each one so
// that "other goroutines get a turn".
func Reprice(prices []float64, discount float64) {
	for i := range prices {
		prices[i] *= 1 - discount
		runtime.Gosched()
	}
}

// WaitFor spins until done reports true. The yield here is the whole loop
// body: gomend reports it, because the real fix is a blocking wait.
func WaitFor(done func() bool) {
	for !done() {
		runtime.Gosched()
	}
}

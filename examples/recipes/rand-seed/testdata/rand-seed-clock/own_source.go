package cases

import (
	"math/rand"
	"time"
)

// A generator of its own: its Seed method is not the deprecated function.
func Shuffle(xs []int) {
	r := rand.New(rand.NewSource(1))
	r.Seed(time.Now().UnixNano())
	r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
}

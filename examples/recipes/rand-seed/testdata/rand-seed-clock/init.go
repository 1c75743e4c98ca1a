package cases

import (
	"math/rand"
	"time"
)

func init() {
	// Different numbers on every run.
	rand.Seed(time.Now().UnixNano()) // want "rand-seed-clock"
}

func Roll() int {
	return rand.Intn(6) + 1
}

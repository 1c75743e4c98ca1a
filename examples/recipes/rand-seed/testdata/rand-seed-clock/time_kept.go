package cases

import (
	"math/rand"
	"time"
)

func Jitter(d time.Duration) time.Duration {
	rand.Seed(time.Now().UnixNano()) // want "rand-seed-clock"

	return d + time.Duration(rand.Int63n(int64(d)))
}

package cache

import (
	"os"
	"runtime"
)

// Spill is a file on disk holding pages evicted from memory.
type Spill struct {
	file *os.File
	size int64
}

// OpenSpill opens (or creates) a spill file. The finalizer is a safety net
// for spills that their owner forgets to Close.
func OpenSpill(path string) (*Spill, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	s := &Spill{file: f}
	runtime.SetFinalizer(s, func(*Spill) {
		s.file.Close()
	})
	return s, nil
}

// Append writes one page at the end of the spill and returns its offset.
func (s *Spill) Append(page []byte) (int64, error) {
	off := s.size
	n, err := s.file.WriteAt(page, off)
	s.size += int64(n)
	return off, err
}

// Close closes the file; the finalizer is no longer needed.
func (s *Spill) Close() error {
	runtime.SetFinalizer(s, nil)
	return s.file.Close()
}

// leaked remembers spills whose owner dropped them without closing them, so
// that an admin page can list them.
var leaked []*Spill

// TrackSpill installs a finalizer that keeps a forgotten spill alive for the
// admin page. Storing the object brings it back to life after the runtime
// decided it was garbage: whether that is wanted, and who finally closes the
// file, is a design question for a person.
func TrackSpill(s *Spill) {
	runtime.SetFinalizer(s, func(*Spill) {
		leaked = append(leaked, s)
	})
}

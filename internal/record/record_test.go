package record

import (
	"errors"
	"testing"
)

// fake is a backend that records by running the body at once.
type fake struct{ recorded int }

func (f *fake) Record(body func() error) (Recording, error) {
	f.recorded++
	return nil, body()
}

// For finds the Recorder of a registered package's backend, and nothing for any
// other value.
func TestFor(t *testing.T) {
	Register(func(be any) (Recorder, bool) {
		f, ok := be.(*fake)
		return f, ok
	})
	f := &fake{}
	r, ok := For(f)
	if !ok {
		t.Fatal("For(*fake): not found")
	}
	want := errors.New("body")
	if _, err := r.Record(func() error { return want }); err != want || f.recorded != 1 {
		t.Errorf("Record: err %v, %d recorded; want the body's error, 1", err, f.recorded)
	}
	if _, ok := For("not a backend"); ok {
		t.Error("For(string): found a Recorder")
	}
}

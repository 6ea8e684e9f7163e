package cpu

import (
	"testing"

	"github.com/gogru/gogru/gru"
)

// A ResetBefore workspace keeps one pre-activation gradient buffer, not two, for the
// forward direction, and two for the reverse one; a ResetAfter workspace keeps two
// for each.
func TestWorkspaceSharesDGh(t *testing.T) {
	for _, v := range []gru.Variant{gru.ResetBefore, gru.ResetAfter} {
		ws := newWorkspace[float32](gru.Config{InputSize: 3, HiddenSize: 5, Layers: 1, Variant: v, Bidirectional: true}, 4, 2)
		for d := range 2 {
			w := &ws.dirs[d]
			same := &w.dGx[0] == &w.dGh[0]
			if want := v == gru.ResetBefore && d == 0; same != want || len(w.dGh) != len(w.dGx) {
				t.Errorf("%v, direction %d: dGh is dGx: %v, want %v (lengths %d and %d)", v, d, same, want, len(w.dGh), len(w.dGx))
			}
		}
	}
}

package corpus

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogru/gogru/gru"
)

func TestPreprocessLikeD2L(t *testing.T) {
	in := "The Time Machine, by H. G. Wells [1898]\n\n\nI\n  The Time Traveller (for so it will be convenient\n"
	// D2L: re.sub('[^A-Za-z]+', ' ', line).strip().lower(), lines joined with nothing.
	want := "the time machine by h g wells" + "i" + "the time traveller for so it will be convenient"
	if got := Preprocess(in, true); got != want {
		t.Errorf("Preprocess:\n got %q\nwant %q", got, want)
	}
	if got := Preprocess(in, false); got != in {
		t.Errorf("Preprocess without filtering changed the text")
	}
}

func TestVocabOrderAndRoundTrip(t *testing.T) {
	v := BuildVocab("abbccc d")
	want := []string{Unknown, "c", "b", "a", " ", "d"}
	if strings.Join(v.Tokens, ",") != strings.Join(want, ",") {
		t.Fatalf("tokens %q, want %q", v.Tokens, want)
	}
	ids := v.Encode("cab?")
	if ids[3] != 0 {
		t.Errorf("an unknown character maps to %d, want 0", ids[3])
	}
	s, err := v.Decode(ids[:3])
	if err != nil || s != "cab" {
		t.Errorf("Decode: %q, %v", s, err)
	}
	if _, err := v.Decode([]int32{9}); err == nil {
		t.Error("Decode of an id outside the vocabulary: no error")
	}
}

func TestEpochSequentialContinuesRows(t *testing.T) {
	ids := make([]int32, 1000)
	for i := range ids {
		ids[i] = int32(i)
	}
	bs, err := Epoch(ids, 4, 7, Sequential, gru.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	for k, b := range bs {
		for i := range b.X {
			if b.Y[i] != b.X[i]+1 {
				t.Fatalf("batch %d: target %d follows %d", k, b.Y[i], b.X[i])
			}
		}
		if k > 0 {
			prev := bs[k-1]
			for r := range 4 {
				if b.X[r] != prev.X[6*4+r]+1 {
					t.Fatalf("batch %d row %d does not continue the previous batch", k, r)
				}
			}
		}
	}
	offset := int(bs[0].X[0])
	if want := (1000 - offset - 1) / 4 / 7; len(bs) != want {
		t.Errorf("%d batches, want %d", len(bs), want)
	}
	rb, err := Epoch(ids, 4, 7, Random, gru.NewRand(1))
	if err != nil || len(rb) == 0 {
		t.Fatalf("random: %v", err)
	}
	if _, err := Epoch(ids[:10], 4, 7, Sequential, gru.NewRand(1)); err == nil {
		t.Error("a corpus too short for one batch: no error")
	}
}

func TestBatchRows(t *testing.T) {
	ids := make([]int32, 1000)
	for i := range ids {
		ids[i] = int32(i)
	}
	bs, err := Epoch(ids, 6, 5, Sequential, gru.NewRand(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs[:2] {
		for _, r := range [][2]int{{0, 2}, {2, 4}, {4, 6}} {
			p, err := b.Rows(r[0], r[1])
			if err != nil {
				t.Fatal(err)
			}
			if p.T != b.T || p.B != 2 {
				t.Fatalf("rows %v: T=%d B=%d", r, p.T, p.B)
			}
			for s := range b.T {
				for j := range 2 {
					if p.X[s*2+j] != b.X[s*b.B+r[0]+j] || p.Y[s*2+j] != b.Y[s*b.B+r[0]+j] {
						t.Fatalf("rows %v: step %d row %d differs from the batch's", r, s, j)
					}
				}
			}
		}
	}
	for _, r := range [][2]int{{-1, 2}, {0, 7}, {3, 3}} {
		if _, err := bs[0].Rows(r[0], r[1]); err == nil {
			t.Errorf("rows %v of 6: no error", r)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
	}{
		{"empty", "", "empty"},
		{"blank", " \n\t", "empty"},
		{"nul", "abc\x00def", "NUL byte"},
		{"junk", "\xff\xfe\xfd", "UTF-8"},
	} {
		if err := Validate(c.name, []byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
	if err := Validate("ok", []byte(Embedded)); err != nil {
		t.Error(err)
	}
}

func TestFetchChecksDigestAndCaches(t *testing.T) {
	body := "the time machine by h g wells"
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Write([]byte(body))
	}))
	defer srv.Close()
	dir := t.TempDir()
	r := Remote{Name: "tm.txt", URL: srv.URL, SHA1: digest([]byte(body))}
	for range 2 {
		got, err := r.Fetch(context.Background(), dir)
		if err != nil || got != body {
			t.Fatalf("Fetch: %q, %v", got, err)
		}
	}
	if hits != 1 {
		t.Errorf("%d downloads, want 1 (the second read comes from the cache)", hits)
	}
	bad := Remote{Name: "bad.txt", URL: srv.URL, SHA1: strings.Repeat("0", 40)}
	if _, err := bad.Fetch(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "SHA-1") {
		t.Errorf("wrong digest: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.txt")); err == nil {
		t.Error("a file with the wrong digest was cached")
	}
	srv.Close()
	off := Remote{Name: "off.txt", URL: srv.URL, SHA1: r.SHA1}
	if _, err := off.Fetch(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "--data PATH") {
		t.Errorf("no network: %v, want a hint to use --data PATH", err)
	}
}

// Adopt caches a local copy only when its digest matches, and Fetch then finds it
// without a network; Cached reports the same.
func TestAdoptCachesAVerifiedCopy(t *testing.T) {
	body := []byte("the time machine by h g wells")
	dir := t.TempDir()
	r := Remote{Name: "tm.txt", URL: "http://127.0.0.1:1/unreachable", SHA1: digest(body)}
	if _, ok := r.Cached(dir); ok {
		t.Fatal("an empty cache reports the file cached")
	}
	if ok, err := r.Adopt([]byte("another text"), dir); ok || err != nil {
		t.Errorf("Adopt of a different text: %v, %v", ok, err)
	}
	if _, ok := r.Cached(dir); ok {
		t.Fatal("a different text was cached")
	}
	if ok, err := r.Adopt(body, dir); !ok || err != nil {
		t.Fatalf("Adopt of the right text: %v, %v", ok, err)
	}
	if path, ok := r.Cached(dir); !ok || path != filepath.Join(dir, "tm.txt") {
		t.Errorf("Cached after Adopt: %q, %v", path, ok)
	}
	if got, err := r.Fetch(context.Background(), dir); err != nil || got != string(body) {
		t.Errorf("Fetch after Adopt (offline): %q, %v", got, err)
	}
}

// TestSequentialBatchesAndMaxBatches checks that SequentialBatches continues B
// contiguous rows from offset 0, refuses too few ids, and that MaxBatches bounds
// every epoch's count, which falls at most one short of it.
func TestSequentialBatchesAndMaxBatches(t *testing.T) {
	ids := make([]int32, 1000)
	for i := range ids {
		ids[i] = int32(i)
	}
	const B, T = 4, 7
	bs, err := SequentialBatches(ids, B, T)
	if err != nil {
		t.Fatal(err)
	}
	per := (len(ids) - 1) / B
	if len(bs) != per/T || len(bs) != MaxBatches(len(ids), B, T, Sequential) {
		t.Fatalf("%d batches, want %d", len(bs), per/T)
	}
	for i, b := range bs {
		for tt := range T {
			for r := range B {
				if want := int32(r*per + i*T + tt); b.X[tt*B+r] != want || b.Y[tt*B+r] != want+1 {
					t.Fatalf("batch %d, step %d, row %d: x %d y %d, want %d and %d", i, tt, r, b.X[tt*B+r], b.Y[tt*B+r], want, want+1)
				}
			}
		}
	}
	if _, err := SequentialBatches(ids[:B*T], B, T); err == nil {
		t.Error("SequentialBatches accepted B·T ids, one too few")
	}
	for _, s := range []Sampling{Sequential, Random} {
		limit := MaxBatches(len(ids), B, T, s)
		rng := gru.NewRand(3)
		for range 50 {
			ep, err := Epoch(ids, B, T, s, rng)
			if err != nil {
				t.Fatal(err)
			}
			if len(ep) > limit || len(ep) < limit-1 {
				t.Errorf("%v: an epoch of %d batches; MaxBatches says %d", s, len(ep), limit)
			}
		}
	}
}

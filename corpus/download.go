package corpus

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gogru/gogru/internal/atomicfile"
	"github.com/gogru/gogru/internal/regularfile"
)

// TimeMachine describes D2L's corpus, H. G. Wells' The Time Machine.
var TimeMachine = Remote{
	Name: "timemachine.txt",
	URL:  "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",
	SHA1: "090b5e7e70c295757f55df93cb0a180b9691891a",
}

// maxDownload bounds a download and a read of the cached copy.
const maxDownload = 64 << 20

// Remote is a text file fetched over HTTP and checked against its SHA-1.
type Remote struct {
	Name string // file name in the cache
	URL  string
	SHA1 string // hex digest
}

// CacheDir is where fetched corpora are kept: the user's cache directory/gogru.
func CacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("corpus: no cache directory: %w", err)
	}
	return filepath.Join(d, "gogru"), nil
}

// Fetch returns the file's text from cacheDir, downloading it first when it is
// missing or its digest is wrong. A failed download names the URL and suggests
// --data PATH; a wrong digest is refused and nothing is cached.
func (r Remote) Fetch(ctx context.Context, cacheDir string) (string, error) {
	path, have, ok := r.cached(cacheDir)
	if ok {
		return string(have), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return "", fmt.Errorf("corpus: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("corpus: cannot download %s (%v); without a network, pass a local copy with --data PATH", r.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("corpus: downloading %s: %s; pass a local copy with --data PATH", r.URL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload))
	if err != nil {
		return "", fmt.Errorf("corpus: downloading %s: %w; pass a local copy with --data PATH", r.URL, err)
	}
	if got := digest(b); got != r.SHA1 {
		return "", fmt.Errorf("corpus: %s has SHA-1 %s, want %s; refusing it", r.URL, got, r.SHA1)
	}
	if err := atomicfile.WriteFile(path, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// Adopt checks a local copy of the file against the digest: when it matches, it
// is stored in cacheDir (atomically, unless an intact copy is already there) so
// that Fetch finds it offline, and Adopt reports true. Another file is left alone.
func (r Remote) Adopt(b []byte, cacheDir string) (bool, error) {
	if digest(b) != r.SHA1 {
		return false, nil
	}
	path, _, ok := r.cached(cacheDir)
	if ok {
		return true, nil
	}
	return true, atomicfile.WriteFile(path, b)
}

// Cached returns the path of the file in cacheDir and whether an intact copy is
// there.
func (r Remote) Cached(cacheDir string) (string, bool) {
	path, _, ok := r.cached(cacheDir)
	return path, ok
}

// cached returns the file's path in cacheDir and, when an intact copy is there,
// its bytes and true.
func (r Remote) cached(cacheDir string) (string, []byte, bool) {
	path := filepath.Join(cacheDir, r.Name)
	b, err := regularfile.ReadAll(path, maxDownload)
	if err != nil || digest(b) != r.SHA1 {
		return path, nil, false
	}
	return path, b, true
}

func digest(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

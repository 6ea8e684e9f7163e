package main

import (
	"encoding/json"
	"os"
)

// statDir reports whether path is a directory.
func statDir(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return fi.IsDir(), nil
}

func jsonString(s string, v any) error { return json.Unmarshal([]byte(s), v) }

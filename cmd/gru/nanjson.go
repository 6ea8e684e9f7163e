package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// JSON has no numbers for NaN and ±Inf, and encoding/json refuses them, yet a
// diverging run's perplexity is +Inf. A record of the learning curve is therefore
// written as encoding/json would write it, except that such a value becomes the
// string "NaN", "+Inf" or "-Inf", and read back from either form. This works
// field by field, so fields added to epochRecord (float64 or *float64) need no code.

// MarshalJSON writes r with non-finite values as strings.
func (r epochRecord) MarshalJSON() ([]byte, error) { return marshalNonFinite(reflect.ValueOf(r)) }

// UnmarshalJSON reads what MarshalJSON writes.
func (r *epochRecord) UnmarshalJSON(b []byte) error {
	return unmarshalNonFinite(b, reflect.ValueOf(r).Elem())
}

// nonFiniteNames are the strings that stand for non-finite values.
var nonFiniteNames = map[string]float64{"NaN": math.NaN(), "+Inf": math.Inf(1), "-Inf": math.Inf(-1)}

// jsonName returns a struct field's JSON key and whether it has omitempty; ok is
// false for fields encoding/json skips.
func jsonName(f reflect.StructField) (name string, omitEmpty, ok bool) {
	if !f.IsExported() {
		return "", false, false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(","+opts+",", ",omitempty,"), true
}

// floatField returns the float a field of kind float64 or *float64 holds.
func floatField(v reflect.Value) (float64, bool) {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() == reflect.Float64 || v.Kind() == reflect.Float32 {
		return v.Float(), true
	}
	return 0, false
}

func marshalNonFinite(v reflect.Value) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	for i := range v.NumField() {
		name, omitEmpty, ok := jsonName(v.Type().Field(i))
		fv := v.Field(i)
		if !ok || omitEmpty && fv.IsZero() {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(name)
		buf.Write(key)
		buf.WriteByte(':')
		if x, isFloat := floatField(fv); isFloat && (math.IsNaN(x) || math.IsInf(x, 0)) {
			s := "NaN"
			if math.IsInf(x, 1) {
				s = "+Inf"
			} else if math.IsInf(x, -1) {
				s = "-Inf"
			}
			fmt.Fprintf(&buf, "%q", s)
			continue
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return nil, err
		}
		buf.Write(b)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func unmarshalNonFinite(b []byte, v reflect.Value) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for i := range v.NumField() {
		name, _, ok := jsonName(v.Type().Field(i))
		r, present := raw[name]
		if !ok || !present {
			continue
		}
		fv := v.Field(i)
		var s string
		if json.Unmarshal(r, &s) == nil {
			if x, named := nonFiniteNames[s]; named {
				t := fv.Type()
				if t.Kind() == reflect.Pointer {
					fv.Set(reflect.New(t.Elem()))
					fv, t = fv.Elem(), t.Elem()
				}
				if t.Kind() != reflect.Float64 && t.Kind() != reflect.Float32 {
					return fmt.Errorf("%s: %q for a %v", name, s, t)
				}
				fv.SetFloat(x)
				continue
			}
		}
		if err := json.Unmarshal(r, fv.Addr().Interface()); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

package main

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// missingRequired lists the paths of required fields absent from obj, walking the Go
// type of gvk: a field is required when its json tag has no omitempty (the rule the
// Kubernetes OpenAPI generator applies, together with +optional markers).
func missingRequired(s *runtime.Scheme, gvk schema.GroupVersionKind, obj map[string]interface{}) []string {
	t, ok := s.AllKnownTypes()[gvk]
	if !ok {
		return nil
	}
	var missing []string
	walk(t, obj, "", &missing)
	sort.Strings(missing)
	return missing
}

func walk(t reflect.Type, value interface{}, path string, missing *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if opaque(t) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := value.(map[string]interface{})
		if ok {
			walkStruct(t, m, path, missing)
		}
	case reflect.Slice, reflect.Array:
		items, ok := value.([]interface{})
		if ok {
			for _, item := range items {
				walk(t.Elem(), item, path+"[]", missing)
			}
		}
	case reflect.Map:
		m, ok := value.(map[string]interface{})
		if ok {
			for k, item := range m {
				walk(t.Elem(), item, path+"."+k, missing)
			}
		}
	}
}

func walkStruct(t reflect.Type, m map[string]interface{}, path string, missing *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" && strings.Contains(","+opts, ",inline") || f.Anonymous && name == "" {
			walk(f.Type, m, path, missing)
			continue
		}
		v, present := m[name]
		if !present {
			if !strings.Contains(","+opts, ",omitempty") && !strings.Contains(","+opts, ",omitzero") {
				*missing = append(*missing, strings.TrimPrefix(path+"."+name, "."))
			}
			continue
		}
		walk(f.Type, v, path+"."+name, missing)
	}
}

// opaque types marshal themselves (Quantity, Time, IntOrString, RawExtension…).
func opaque(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler)
}

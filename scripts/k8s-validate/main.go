// Command k8s-validate checks rendered Kubernetes manifests offline, against the API
// types and schemas of the Kubernetes version this module is built with (k8s.io/api).
//
// Every YAML document read from the files named on the command line (or stdin) must:
//  1. name a kind the scheme knows (the built-in API groups, plus Gateway API v1);
//  2. decode strictly into its Go type: unknown or duplicate fields are errors;
//  3. validate against the structured schema generated from the Kubernetes OpenAPI
//     definitions (field types, list and map shapes), the one server-side apply uses;
//  4. carry every required field (json fields without omitempty, which is how the
//     OpenAPI generator derives `required`);
//  5. use an API version served by the target Kubernetes version (-kube-version,
//     default 1.37 = this module's k8s.io/api): beta versions carry their lifecycle
//     (introduced, removed), e.g. policy/v1beta1 was removed in 1.25.
//
// It prints one line per object and exits 1 when any object fails.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/managedfields"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/applyconfigurations"
	"k8s.io/client-go/kubernetes/scheme"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwapply "sigs.k8s.io/gateway-api/applyconfiguration"
	"sigs.k8s.io/yaml"
)

type lifecycleRemoved interface{ APILifecycleRemoved() (int, int) }
type lifecycleIntroduced interface{ APILifecycleIntroduced() (int, int) }

type validator struct {
	kubeMinor  int
	scheme     *runtime.Scheme
	strict     runtime.Decoder
	builtins   managedfields.TypeConverter
	gatewayAPI managedfields.TypeConverter
}

func newValidator() (*validator, error) {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := gatewayv1.Install(s); err != nil {
		return nil, err
	}
	codecs := serializer.NewCodecFactory(s, serializer.EnableStrict)
	return &validator{
		scheme:     s,
		strict:     codecs.UniversalDeserializer(),
		builtins:   applyconfigurations.NewTypeConverter(s),
		gatewayAPI: gwapply.NewTypeConverter(s),
	}, nil
}

func (v *validator) validate(doc []byte) (string, error) {
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(doc, &obj.Object); err != nil {
		return "?", fmt.Errorf("not YAML: %w", err)
	}
	gvk := obj.GroupVersionKind()
	id := fmt.Sprintf("%s %s/%s", gvk.GroupVersion(), gvk.Kind, obj.GetName())
	if gvk.Kind == "" || gvk.Version == "" {
		return id, errors.New("apiVersion and kind are required")
	}
	if obj.GetName() == "" {
		return id, errors.New("metadata.name is required")
	}
	if !v.scheme.Recognizes(gvk) {
		return id, fmt.Errorf("unknown kind %s for this Kubernetes version", gvk)
	}
	jsonDoc, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return id, err
	}
	typed, _, err := v.strict.Decode(jsonDoc, &gvk, nil)
	if err != nil {
		return id, fmt.Errorf("strict decoding: %w", err)
	}
	if r, ok := typed.(lifecycleRemoved); ok {
		if major, minor := r.APILifecycleRemoved(); major == 1 && minor <= v.kubeMinor {
			return id, fmt.Errorf("%s was removed in Kubernetes %d.%d (target 1.%d)", gvk.GroupVersion(), major, minor, v.kubeMinor)
		}
	}
	if i, ok := typed.(lifecycleIntroduced); ok {
		if major, minor := i.APILifecycleIntroduced(); major == 1 && minor > v.kubeMinor {
			return id, fmt.Errorf("%s is not served before Kubernetes %d.%d (target 1.%d)", gvk.GroupVersion(), major, minor, v.kubeMinor)
		}
	}
	if _, err := v.converter(gvk).ObjectToTyped(obj); err != nil {
		return id, fmt.Errorf("schema: %w", err)
	}
	if missing := missingRequired(v.scheme, gvk, obj.Object); len(missing) > 0 {
		return id, fmt.Errorf("missing required field(s): %s", strings.Join(missing, ", "))
	}
	return id, nil
}

func (v *validator) converter(gvk schema.GroupVersionKind) managedfields.TypeConverter {
	if gvk.Group == gatewayv1.GroupName {
		return v.gatewayAPI
	}
	return v.builtins
}

func documents(r io.Reader) ([][]byte, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

func main() {
	kubeVersion := flag.String("kube-version", "1.37", "target Kubernetes version (1.minor)")
	flag.Parse()
	v, err := newValidator()
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s-validate:", err)
		os.Exit(2)
	}
	if _, err := fmt.Sscanf(*kubeVersion, "1.%d", &v.kubeMinor); err != nil {
		fmt.Fprintln(os.Stderr, "k8s-validate: -kube-version must look like 1.30")
		os.Exit(2)
	}
	inputs := flag.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	failed, checked := 0, 0
	for _, name := range inputs {
		var r io.Reader = os.Stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, "k8s-validate:", err)
				os.Exit(2)
			}
			defer f.Close()
			r = f
		}
		docs, err := documents(r)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-validate: %s: %v\n", name, err)
			os.Exit(2)
		}
		for _, doc := range docs {
			checked++
			id, err := v.validate(doc)
			if err != nil {
				failed++
				fmt.Printf("FAIL %s: %v\n", id, err)
			} else {
				fmt.Printf("ok   %s\n", id)
			}
		}
	}
	fmt.Printf("%d objects checked, %d invalid\n", checked, failed)
	if failed > 0 || checked == 0 {
		os.Exit(1)
	}
}

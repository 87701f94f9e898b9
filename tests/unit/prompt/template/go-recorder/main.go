package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

var funcs = template.FuncMap{
	"toJSON": func(v any) (string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		return string(b), nil
	},
	"join": func(sep string, v any) (string, error) {
		switch list := v.(type) {
		case []string:
			return strings.Join(list, sep), nil
		case []any:
			s := make([]string, len(list))
			for i, elem := range list {
				s[i] = fmt.Sprint(elem)
			}
			return strings.Join(s, sep), nil
		default:
			return "", fmt.Errorf("join: unsupported type %T, want []string or []any", v)
		}
	},
	"lower": strings.ToLower,
}

func full() map[string]any {
	return map[string]any{
		"issue": map[string]any{
			"id": "10001", "identifier": "ABC-1", "title": "Fix the <login> & bug",
			"description": "Line one\nLine two", "priority": 2, "state": "In Progress",
			"branch_name": "abc-1-fix", "url": "https://tracker.example/browse/ABC-1",
			"labels": []string{"bug", "urgent"}, "assignee": "alice", "issue_type": "Bug",
			"parent":   map[string]any{"id": "10000", "identifier": "ABC-0"},
			"comments": []map[string]any{{"id": "c1", "author": "bob", "body": "Looks good", "created_at": "2024-01-02T03:04:05Z"}},
			"blocked_by": []map[string]any{{"id": "9", "identifier": "ABC-9", "state": "Done"}},
			"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-03T00:00:00Z",
		},
		"attempt":         0,
		"run":             map[string]any{"turn_number": 1, "max_turns": 5, "is_continuation": false},
		"ci_failure":      nil,
		"review_comments": nil,
	}
}

func bare() map[string]any {
	var priority any
	var parent any
	var comments any
	return map[string]any{
		"issue": map[string]any{
			"id": "7", "identifier": "#7", "title": "Bare", "description": "", "priority": priority,
			"state": "open", "branch_name": "", "url": "", "labels": []string{}, "assignee": "",
			"issue_type": "", "parent": parent, "comments": comments, "blocked_by": []map[string]any{},
			"created_at": "", "updated_at": "",
		},
		"attempt":         2,
		"run":             map[string]any{"turn_number": 3, "max_turns": 3, "is_continuation": true},
		"ci_failure":      nil,
		"review_comments": nil,
	}
}

func misc() map[string]any {
	return map[string]any{
		"m":        map[string]any{"a": 1, "b": "two", "n": nil},
		"l":        []any{1, "x", nil, 2.5, true},
		"strs":     []string{"b", "a"},
		"maps":     []map[string]any{{"k": 1}},
		"f":        1.5,
		"big":      1e21,
		"s":        "héllo",
		"empty":    []any{},
		"emptymap": map[string]any{},
		"nested":   map[string]any{"inner": map[string]any{"k": "v"}},
		"zero":     0,
		"t":        true,
		"nilv":     nil,
		"html":     "<a href='x'>&</a>",
		"num":      42,
		"neg":      -7,
	}
}

type tc struct {
	Name string `json:"name"`
	Data string `json:"data"`
	Tmpl string `json:"tmpl"`
}
type res struct {
	Name string `json:"name"`
	Out  string `json:"out"`
	Err  string `json:"err"`
}

func main() {
	var cases []tc
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	var out []res
	for _, c := range cases {
		var data any
		switch c.Data {
		case "full":
			data = full()
		case "bare":
			data = bare()
		default:
			data = misc()
		}
		r := res{Name: c.Name}
		t, err := template.New("prompt").Option("missingkey=error").Funcs(funcs).Parse(c.Tmpl)
		if err != nil {
			r.Err = err.Error()
		} else {
			var buf bytes.Buffer
			if err := t.Execute(&buf, data); err != nil {
				r.Err = err.Error()
				r.Out = buf.String()
			} else {
				r.Out = buf.String()
			}
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	enc.Encode(out)
}

/// The JSON Schema of the workflow file format, for editors such as VS Code's YAML extension.
public enum WorkflowSchema {
    /// The schema as pretty-printed JSON text.
    public static var json: String {
        let duration = #"{"type": "string", "pattern": "^[0-9]{1,6}(m|h|d|w|mo|bd)$", "description": "30m, 4h, 3d, 2w, 4mo, 5bd (business days)"}"#
        let name = #"{"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}"#
        return """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "$id": "https://kakari.example/schema/workflow.json",
          "title": "Kakari definition file",
          "description": "A workflow, staff directory, lookup tables or business calendar for Kakari.",
          "oneOf": [
            {"$ref": "#/definitions/workflowFile"},
            {"type": "object", "required": ["staff"], "properties": {"staff": {"$ref": "#/definitions/staff"}}, "additionalProperties": false},
            {"type": "object", "required": ["tables"], "properties": {"tables": {"type": "object", "additionalProperties": {"$ref": "#/definitions/table"}}}, "additionalProperties": false},
            {"type": "object", "required": ["calendar"], "properties": {"calendar": {"$ref": "#/definitions/calendar"}}, "additionalProperties": false}
          ],
          "definitions": {
            "duration": \(duration),
            "name": \(name),
            "expression": {"type": "string", "description": "An expression: fields, event.FIELD, == != < <= > >=, and/or/not, + - * / %, in [..], len, lookup, has, if, today, contains, is_set, year, days_between, coalesce"},
            "field": {
              "oneOf": [
                {"enum": ["string", "text", "int", "bool", "date", "list"]},
                {"type": "object", "required": ["type"], "additionalProperties": false, "properties": {
                  "type": {"enum": ["string", "text", "int", "bool", "date", "enum", "list"]},
                  "label": {"type": "string"}, "required": {"type": "boolean"}, "pii": {"type": "boolean"},
                  "default": {}, "values": {"type": "array", "items": {"type": "string"}}
                }}
              ]
            },
            "fields": {"type": "object", "additionalProperties": {"$ref": "#/definitions/field"}},
            "branch": {"type": "object", "additionalProperties": false, "properties": {
              "when": {"$ref": "#/definitions/expression"}, "to": {"type": "string"}, "else": {"type": "string"},
              "set": {"type": "object", "additionalProperties": {"$ref": "#/definitions/expression"}},
              "stay": {"const": true}, "withdraw": {"type": "array", "items": {"type": "string"}}
            }},
            "branches": {"oneOf": [{"type": "string"}, {"$ref": "#/definitions/branch"}, {"type": "array", "items": {"$ref": "#/definitions/branch"}}]},
            "timer": {"type": "object", "additionalProperties": false, "properties": {
              "name": {"type": "string"}, "after": {"$ref": "#/definitions/duration"}, "at": {"$ref": "#/definitions/expression"},
              "roll": {"type": "boolean"}, "to": {"type": "string"}, "then": {"$ref": "#/definitions/branches"},
              "set": {"type": "object"}, "except": {"type": "array", "items": {"type": "string"}}
            }},
            "task": {"type": "object", "required": ["kind", "title"], "additionalProperties": false, "properties": {
              "kind": {"$ref": "#/definitions/name"}, "label": {"type": "string"}, "title": {"type": "string"},
              "section": {"type": "string"}, "route": {"$ref": "#/definitions/expression"},
              "due": {"$ref": "#/definitions/duration"}, "follow_up": {"$ref": "#/definitions/duration"},
              "priority": {"$ref": "#/definitions/expression"}, "form": {"$ref": "#/definitions/fields"},
              "event": {"type": "string"}, "sees": {"type": "array", "items": {"type": "string"}},
              "decision": {"type": "boolean"}, "contractor": {"type": "boolean"}, "confirms": {"type": "string"},
              "for_each": {"type": "string"}, "retain": {"type": "string"}, "critical": {"type": "string"},
              "sheet": {"type": "object", "required": ["title", "fields"], "additionalProperties": false, "properties": {
                "title": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1}
              }}
            }},
            "state": {"type": ["object", "null"], "additionalProperties": false, "properties": {
              "label": {"type": "string"}, "final": {"type": "boolean"}, "result": {"type": "string"},
              "tasks": {"type": "array", "items": {"$ref": "#/definitions/task"}},
              "on": {"type": "object", "additionalProperties": {"$ref": "#/definitions/branches"}},
              "timers": {"type": "array", "items": {"$ref": "#/definitions/timer"}},
              "all_done": {"$ref": "#/definitions/branches"},
              "child": {"type": "object", "required": ["workflow", "results"], "additionalProperties": false, "properties": {
                "workflow": {"type": "string"}, "with": {"type": "object"},
                "results": {"type": "object", "additionalProperties": {"$ref": "#/definitions/branches"}}
              }}
            }},
            "workflowFile": {"type": "object", "required": ["workflow", "initial", "states"], "additionalProperties": false, "properties": {
              "workflow": {"type": "string"}, "label": {"type": "string"}, "description": {"type": "string"},
              "initial": {"type": "string"}, "fields": {"$ref": "#/definitions/fields"},
              "events": {"type": "object", "additionalProperties": {"type": ["object", "null"], "properties": {"label": {"type": "string"}, "fields": {"$ref": "#/definitions/fields"}, "if_not_accepted": {"enum": ["refuse", "keep", "ignore"]}}}},
              "deadline": {"$ref": "#/definitions/timer"},
              "states": {"type": "object", "additionalProperties": {"$ref": "#/definitions/state"}}
            }},
            "staff": {"type": "object", "required": ["sections", "users"], "properties": {
              "label": {"type": "string"},
              "sections": {"type": "object", "additionalProperties": {"type": "object", "properties": {"label": {"type": "string"}}}},
              "users": {"type": "object", "additionalProperties": {"type": "object", "required": ["section", "role"], "properties": {
                "name": {"type": "string"}, "section": {"type": "string"},
                "role": {"enum": ["lead", "staff", "contractor", "duty", "admin"]}, "home_town": {"type": "string"}
              }}}
            }},
            "table": {"type": "object", "required": ["columns", "rows"], "properties": {
              "label": {"type": "string"}, "key_label": {"type": "string"}, "confirm": {"type": "string"},
              "columns": {"type": "object", "additionalProperties": {"type": "object", "required": ["type"], "properties": {
                "type": {"enum": ["string", "text", "int", "bool", "date", "list"]}, "required": {"type": "boolean"},
                "label": {"type": "string"}, "table": {"type": "string"}
              }}},
              "rows": {"type": "object", "additionalProperties": {"type": "object"}}
            }},
            "calendar": {"type": "object", "properties": {
              "label": {"type": "string"}, "time_zone": {"type": "string"},
              "closed_weekdays": {"type": "array", "items": {"enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}},
              "yearly_closures": {"type": "array", "items": {"type": "object", "required": ["from", "to"], "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "label": {"type": "string"}}}},
              "holidays": {"type": "array", "items": {"type": "object", "required": ["date"], "properties": {"date": {"type": "string"}, "label": {"type": "string"}}}}
            }}
          }
        }
        """
    }
}

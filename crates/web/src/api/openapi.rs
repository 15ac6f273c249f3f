//! The OpenAPI 3.1 document of `/api/v1`, written out by hand: the API is small and a
//! generator would cost more build time than this file costs to keep true (a test checks that
//! every route here answers).

use axum::Json;
use serde_json::{Value, json};

pub async fn document() -> Json<Value> {
    Json(spec())
}

fn problem() -> Value {
    json!({ "description": "Problem details (RFC 9457); `errors` names each field", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
}

fn item_ok(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Item" } } } })
}

pub fn spec() -> Value {
    let idem = json!({ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 128 }, "description": "A retried request with the same key has one effect." });
    let id =
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Tongchou API", "version": "1", "description": "统筹 · 数字政府项目统筹管理平台. Every step is decided by the policy and cites its article." },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Problem": { "type": "object", "properties": {
                    "status": { "type": "integer" }, "title": { "type": "string" }, "title_zh": { "type": "string" },
                    "article": { "type": ["string", "null"], "description": "e.g. 13.2 = 第十三条第二款" },
                    "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" }, "message_zh": { "type": "string" } } } } } },
                "Item": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "number": { "type": "string", "example": "XQ-2026-0001" }, "kind": { "type": "string" },
                    "title": { "type": "string" }, "state": { "type": "string" }, "year": { "type": "integer" },
                    "due": { "type": ["string", "null"], "format": "date" }, "policy_version": { "type": "string" },
                    "version": { "type": "integer" }, "updated_at": { "type": "string" },
                    "owner": { "type": "object", "properties": { "id": { "type": "integer" }, "name": { "type": "string" } } } } },
                "Action": { "type": "object", "properties": {
                    "id": { "type": "string" }, "label": { "type": "object", "properties": { "zh": { "type": "string" }, "en": { "type": "string" } } },
                    "article": { "type": "string" }, "inputs": { "type": "array", "items": { "type": "string" } },
                    "required": { "type": "array", "items": { "type": "string" } }, "to": { "type": "string" } } },
                "Fields": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Field values by id; money in yuan as typed (e.g. \"1,200,000.50\")." }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/login": { "post": { "summary": "Log in; returns a bearer token", "security": [],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } } } } },
                "responses": { "200": { "description": "Token", "content": { "application/json": { "schema": { "type": "object", "properties": { "token": { "type": "string" }, "user": { "type": "object" } } } } } }, "401": problem() } } },
            "/logout": { "post": { "summary": "End the token's session", "responses": { "204": { "description": "Logged out" }, "401": problem() } } },
            "/items": {
                "get": { "summary": "List items the caller may see, newest first",
                    "parameters": [
                        { "name": "kind", "in": "query", "schema": { "type": "string", "default": "demand" } },
                        { "name": "state", "in": "query", "schema": { "type": "string" } },
                        { "name": "year", "in": "query", "schema": { "type": "integer" } },
                        { "name": "q", "in": "query", "schema": { "type": "string" } },
                        { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } },
                        { "name": "per_page", "in": "query", "schema": { "type": "integer", "maximum": 100, "default": 25 } } ],
                    "responses": { "200": { "description": "A page", "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/Item" } }, "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } } } } }, "401": problem() } },
                "post": { "summary": "Create an item (optionally taking a second step at once, e.g. submit)", "parameters": [idem],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["kind"], "properties": {
                        "kind": { "type": "string" }, "action": { "type": "string" }, "then": { "type": "string" }, "fields": { "$ref": "#/components/schemas/Fields" } } } } } },
                    "responses": { "201": item_ok("Created"), "401": problem(), "422": problem() } } },
            "/workbench": { "get": { "summary": "The caller's workbench a tab at a time: todo (待办, earliest deadline first, each with the steps asked of the caller), done (已办) or mine (我发起的)",
                "parameters": [
                    { "name": "tab", "in": "query", "schema": { "type": "string", "enum": ["todo", "done", "mine"], "default": "todo" } },
                    { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } },
                    { "name": "per_page", "in": "query", "schema": { "type": "integer", "maximum": 100, "default": 25 } } ],
                "responses": { "200": { "description": "A page", "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/Item" } }, "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } } } } }, "401": problem(), "422": problem() } } },
            "/items/{id}": { "get": { "summary": "An item with its fields, history and the caller's actions", "parameters": [id], "responses": { "200": item_ok("The item"), "404": problem() } } },
            "/items/{id}/actions": { "get": { "summary": "The steps the caller may take now, each with its article", "parameters": [id],
                "responses": { "200": { "description": "Actions", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Action" } } } } }, "404": problem() } } },
            "/items/{id}/actions/{action}": { "post": { "summary": "Take a step", "parameters": [id, { "name": "action", "in": "path", "required": true, "schema": { "type": "string" } }, idem],
                "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object", "properties": { "fields": { "$ref": "#/components/schemas/Fields" } } } } } },
                "responses": { "200": item_ok("The item after the step"), "404": problem(), "409": problem(), "422": problem() } } }
        }
    })
}

// The Cargo sparse registry format (issue 12).

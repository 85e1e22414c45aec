// The Swift package registry format (SE-0292, issue 12).

"""WeCom (企业微信) self-built app: encrypted callbacks in, messages and template cards out."""

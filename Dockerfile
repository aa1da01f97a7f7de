# One image for both roles; docker-compose.yml picks the command (npm run start:ingress / start:worker).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
COPY workflows ./workflows
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund --include=dev && npm run build && npm cache clean --force
USER node
EXPOSE 8080 9464
CMD ["npm", "run", "start:ingress"]

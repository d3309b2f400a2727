# RBM Flow: the worker and the HTTP server (`rbm start` with DATABASE_URL and TEMPORAL_ADDRESS set).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
EXPOSE 3000
CMD ["node", "bin/rbm.js", "start"]
